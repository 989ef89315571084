import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { PlanCatalog } from '../subscriptions/plan-catalog';
import type { Subscription } from '../subscriptions/subscription';
import type { GrantSource } from '../subscriptions/subscription.entity';
import { SubscriptionGrantsService } from '../subscriptions/subscription-grants.service';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { BalanceLedgerRepository } from './balance-ledger.repository';
import type { Gift } from './gifts/gift';
import { GiftsService } from './gifts/gifts.service';
import type { Purchase } from './purchase';
import { ReferralService, type ReferralReward } from './referral.service';

export interface PaidEffects {
  subscription: Subscription | null;
  /** A paid gift purchase: the gift waiting for its link and recipient. */
  gift?: Gift | null;
  /** The balance after a top-up credit (null for subscription purchases). */
  balanceAfter: number | null;
  referral: ReferralReward | null;
}

/** Inside the transaction that marked the purchase paid, so all effects commit together. */
@Injectable()
export class PurchaseEffectsService {
  constructor(
    private readonly config: AppConfig,
    private readonly plans: PlanCatalog,
    private readonly grants: SubscriptionGrantsService,
    private readonly ledger: BalanceLedgerRepository,
    private readonly referrals: ReferralService,
    private readonly notifications: NotificationsRepository,
    private readonly gifts: GiftsService,
  ) {}

  async apply(
    em: EntityManager,
    p: Purchase,
    opts: { now: Date; source?: GrantSource },
  ): Promise<PaidEffects> {
    let subscription: Subscription | null = null;
    let balanceAfter: number | null = null;
    let gift: Gift | null = null;
    if (p.kind === 'gift') {
      gift = await this.gifts.createFor(em, p, opts.now);
    } else if (p.kind === 'subscription') {
      const plan = this.plans.find(p.planCode!);
      const source = opts.source ?? 'purchase';
      const granted = await this.grants.grant(em, {
        userId: p.userId,
        days: plan.durationDays,
        source,
        purchaseId: p.id,
        planCode: plan.code,
        now: opts.now,
      });
      subscription = granted.subscription;
      await this.notifications.enqueue(em, {
        userId: p.userId,
        kind: granted.issued ? 'payment_received' : 'subscription_renewed',
        dedupeKey: granted.issued ? dedupeKeys.paid(p.id) : dedupeKeys.renewed(p.id),
        payload: {
          purchaseId: p.id,
          subscriptionId: String(subscription.id),
          planCode: plan.code,
          amountMinor: p.amountMinor,
          currency: p.currency,
          expiresAt: subscription.expiresAt.toISOString(),
          autoRenew: source === 'auto_renew',
        },
        // A new key is on its way: the notice waits for it and goes out in the same message (one message).
        delayMs: granted.issued ? this.config.payments.paymentNoticeKeyWaitMs : 0,
      });
    } else {
      const credit = p.creditMinor ?? p.amountMinor;
      balanceAfter = await this.ledger.apply(em, {
        userId: p.userId,
        deltaMinor: credit,
        reason: 'topup',
        reference: p.id,
      });
      await this.notifications.enqueue(em, {
        userId: p.userId,
        kind: 'topup_received',
        dedupeKey: dedupeKeys.topup(p.id),
        payload: {
          purchaseId: p.id,
          amountMinor: credit,
          currency: this.config.payments.balanceCurrency,
          balanceAfter,
        },
      });
    }
    const referral = await this.referrals.rewardFor(em, p);
    return { subscription, balanceAfter, referral, gift };
  }
}
