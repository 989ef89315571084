import { Module } from '@nestjs/common';
import { BotApiModule } from '../../../bot-api/bot-api.module';
import { ClockModule } from '../../../clock/clock.module';
import { SubscriptionsModule } from '../../../subscriptions/subscriptions.module';
import { PaymentsModule } from '../../payments.module';
import { StarsService } from './stars.service';

/** Telegram Stars payments; the Telegram handlers call StarsService. */
@Module({
  imports: [BotApiModule, ClockModule, PaymentsModule, SubscriptionsModule],
  providers: [StarsService],
  exports: [StarsService],
})
export class StarsModule {}
