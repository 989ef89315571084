import { Module } from '@nestjs/common';
import { BotApiModule } from '../bot-api/bot-api.module';
import { ClockModule } from '../clock/clock.module';
import { PaymentsModule } from '../payments/payments.module';
import { PromoModule } from '../promo/promo.module';
import { StarsModule } from '../payments/providers/stars/stars.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { UsersModule } from '../users/users.module';
import { VpnModule } from '../vpn/vpn.module';
import { AdminRepository } from './admin.repository';
import { AdminService } from './admin.service';
import { BroadcastDeliveryJob } from './broadcast-delivery.job';
import { BroadcastDeliveryService } from './broadcast-delivery.service';
import { BroadcastsRepository } from './broadcasts.repository';
import { BroadcastsService } from './broadcasts.service';

@Module({
  imports: [
    BotApiModule,
    ClockModule,
    UsersModule,
    SubscriptionsModule,
    PaymentsModule,
    StarsModule,
    VpnModule,
    PromoModule,
  ],
  providers: [
    AdminRepository,
    AdminService,
    BroadcastsRepository,
    BroadcastsService,
    BroadcastDeliveryService,
    BroadcastDeliveryJob,
  ],
  exports: [AdminService, BroadcastsService],
})
export class AdminModule {}
