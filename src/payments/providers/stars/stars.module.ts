import { Module } from '@nestjs/common';
import { ClockModule } from '../../../clock/clock.module';
import { SubscriptionsModule } from '../../../subscriptions/subscriptions.module';
import { PaymentsModule } from '../../payments.module';
import { StarsApiClient } from './stars-api.client';
import { StarsService } from './stars.service';

/** Telegram Stars payments; the Telegram handlers call StarsService. */
@Module({
  imports: [ClockModule, PaymentsModule, SubscriptionsModule],
  providers: [StarsService, StarsApiClient],
  exports: [StarsService],
})
export class StarsModule {}
