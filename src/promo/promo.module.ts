import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module';
import { PaymentsModule } from '../payments/payments.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { UsersModule } from '../users/users.module';
import { PromoAdminService } from './promo-admin.service';
import { PromoCodesRepository } from './promo-codes.repository';
import { PromoService } from './promo.service';

/**
 * Promo codes (the only writer of promo_codes and promo_redemptions). Sits above payments: it credits
 * through BalanceService and grants through the subscription writer; purchases carry a redemption's
 * discount without knowing this module.
 */
@Module({
  imports: [ClockModule, UsersModule, SubscriptionsModule, PaymentsModule],
  providers: [PromoService, PromoAdminService, PromoCodesRepository],
  exports: [PromoService, PromoAdminService],
})
export class PromoModule {}
