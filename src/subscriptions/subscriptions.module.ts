import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { VpnDesiredStateModule } from '../vpn/vpn-desired-state.module';
import { ExpirySweepJob } from './expiry-sweep.job';
import { ExpiryRepository } from './expiry.repository';
import { ExpiryService } from './expiry.service';
import { PlanCatalog } from './plan-catalog';
import { PlansRepository } from './plans.repository';
import { RemindersJob } from './reminders.job';
import { RemindersRepository } from './reminders.repository';
import { RemindersService } from './reminders.service';
import { SubscriptionGrantsService } from './subscription-grants.service';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [ClockModule, UsersModule, NotificationsModule, VpnDesiredStateModule],
  providers: [
    PlanCatalog,
    PlansRepository,
    SubscriptionsService,
    SubscriptionsRepository,
    SubscriptionGrantsService,
    ExpiryService,
    ExpiryRepository,
    ExpirySweepJob,
    RemindersService,
    RemindersRepository,
    RemindersJob,
  ],
  exports: [
    PlanCatalog,
    SubscriptionsService,
    SubscriptionsRepository,
    SubscriptionGrantsService,
    ExpiryService,
    RemindersService,
  ],
})
export class SubscriptionsModule {}
