import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { UsersModule } from '../users/users.module';
import { AutoRenewalJob } from './auto-renewal.job';
import { AutoRenewalRepository } from './auto-renewal.repository';
import { AutoRenewalService } from './auto-renewal.service';
import { BalanceCheckoutService } from './balance-checkout.service';
import { BalanceLedgerRepository } from './balance-ledger.repository';
import { BalanceService } from './balance.service';
import { GiftExpiryJob } from './gifts/gift-expiry.job';
import { GiftsRepository } from './gifts/gifts.repository';
import { GiftsService } from './gifts/gifts.service';
import { LatePaymentService } from './late-payment.service';
import { PurchaseEffectsService } from './purchase-effects.service';
import { PurchaseExpiryJob } from './purchase-expiry.job';
import { PurchaseReversalService } from './purchase-reversal.service';
import { PurchasesRepository } from './purchases.repository';
import { PurchasesService } from './purchases.service';
import { ReferralRewardsRepository } from './referral-rewards.repository';
import { ReferralService } from './referral.service';
import { TopupPolicyService } from './topup-policy.service';

@Module({
  imports: [ClockModule, UsersModule, SubscriptionsModule, NotificationsModule],
  providers: [
    PurchasesService,
    PurchasesRepository,
    PurchaseEffectsService,
    PurchaseReversalService,
    BalanceCheckoutService,
    BalanceService,
    BalanceLedgerRepository,
    ReferralService,
    ReferralRewardsRepository,
    AutoRenewalService,
    AutoRenewalRepository,
    AutoRenewalJob,
    PurchaseExpiryJob,
    TopupPolicyService,
    LatePaymentService,
    GiftsService,
    GiftsRepository,
    GiftExpiryJob,
  ],
  exports: [
    GiftsService,
    LatePaymentService,
    PurchasesService,
    BalanceService,
    AutoRenewalService,
    ReferralService,
    TopupPolicyService,
    BalanceCheckoutService,
  ],
})
export class PaymentsModule {}
