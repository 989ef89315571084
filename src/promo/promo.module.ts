import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module';
import { PaymentsModule } from '../payments/payments.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { UsersModule } from '../users/users.module';
import { PromoAdminService } from './promo-admin.service';
import { PromoCodesRepository } from './promo-codes.repository';
import { PromoService } from './promo.service';

/** Above payments: credits and grants through their writers; purchases never import this module. */
@Module({
  imports: [ClockModule, UsersModule, SubscriptionsModule, PaymentsModule],
  providers: [PromoService, PromoAdminService, PromoCodesRepository],
  exports: [PromoService, PromoAdminService],
})
export class PromoModule {}
