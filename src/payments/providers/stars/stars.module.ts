import { Module } from '@nestjs/common';
import { BotApiModule } from '../../../bot-api/bot-api.module';
import { ClockModule } from '../../../clock/clock.module';
import { SubscriptionsModule } from '../../../subscriptions/subscriptions.module';
import { PaymentsModule } from '../../payments.module';
import { StarsReconciliationJob } from './stars-reconciliation.job';
import { StarsReconciliationService } from './stars-reconciliation.service';
import { StarsService } from './stars.service';

@Module({
  imports: [BotApiModule, ClockModule, PaymentsModule, SubscriptionsModule],
  providers: [StarsService, StarsReconciliationService, StarsReconciliationJob],
  exports: [StarsService],
})
export class StarsModule {}
