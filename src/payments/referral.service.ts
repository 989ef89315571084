import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { PlanCatalog } from '../subscriptions/plan-catalog';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { UsersRepository } from '../users/users.repository';
import { BalanceLedgerRepository } from './balance-ledger.repository';
import type { Purchase } from './purchase';
import { PurchasesRepository } from './purchases.repository';
import { ReferralRewardsRepository } from './referral-rewards.repository';
import { referralReward, valueInBalanceCurrency } from './referral-rules';

export interface ReferralReward {
  referrerId: number;
  amountMinor: number;
}

@Injectable()
export class ReferralService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly purchases: PurchasesRepository,
    private readonly ledger: BalanceLedgerRepository,
    private readonly rewards: ReferralRewardsRepository,
    private readonly notifications: NotificationsRepository,
    private readonly plans: PlanCatalog,
  ) {}

  /** Purchases paid from the balance earn nothing: that money came from a top-up rewarded already. */
  async rewardFor(em: EntityManager, purchase: Purchase): Promise<ReferralReward | null> {
    const { referralPercent, referralRewardMode, balanceCurrency } = this.config.payments;
    if (referralPercent === 0 || purchase.provider === 'balance' || purchase.status !== 'paid') return null;
    // The referee's row lock serialises their purchases, so "first paid purchase" is decided once.
    const referee = await this.users.lock(em, purchase.userId);
    if (!referee?.referrerId || referee.referrerId === referee.id) return null;
    if (
      referralRewardMode === 'first' &&
      (await this.purchases.hasOtherPaid(em, { userId: referee.id, exceptId: purchase.id }))
    )
      return null;
    const plan = purchase.planCode ? this.plans.find(purchase.planCode) : null;
    const value = valueInBalanceCurrency(purchase, plan, balanceCurrency);
    const amountMinor = value === null ? 0 : referralReward(value, referralPercent);
    if (amountMinor <= 0) return null;
    const inserted = await this.rewards.insert(em, {
      referrerId: referee.referrerId,
      refereeId: referee.id,
      purchaseId: purchase.id,
      amountMinor,
    });
    if (!inserted) return null;
    // A clawback the referrer could not pay when it happened is repaid from this reward first.
    const repaid = await this.rewards.repayDebts(em, referee.referrerId, amountMinor);
    if (repaid === amountMinor) return { referrerId: referee.referrerId, amountMinor };
    const credited = amountMinor - repaid;
    const balanceAfter = await this.ledger.apply(em, {
      userId: referee.referrerId,
      deltaMinor: credited,
      reason: 'referral_reward',
      reference: purchase.id,
    });
    await this.notifications.enqueue(em, {
      userId: referee.referrerId,
      kind: 'referral_reward',
      dedupeKey: dedupeKeys.referral(purchase.id),
      payload: { amountMinor: credited, currency: balanceCurrency, balanceAfter, refereeId: referee.id },
    });
    return { referrerId: referee.referrerId, amountMinor };
  }

  async statsFor(referrerId: number): Promise<{ invited: number; earnedMinor: number }> {
    return this.rewards.statsFor(referrerId);
  }

  /** What was spent already becomes a debt repaid from the referrer's next rewards. */
  async clawBack(em: EntityManager, purchaseId: string): Promise<number> {
    const reward = await this.rewards.lockForPurchase(em, purchaseId);
    if (!reward) return 0;
    const amount = Math.min(reward.amountMinor, reward.referrerBalance);
    if (amount < reward.amountMinor) await this.rewards.setOwed(em, purchaseId, reward.amountMinor - amount);
    if (amount <= 0) return 0;
    await this.ledger.apply(em, {
      userId: reward.referrerId,
      deltaMinor: -amount,
      reason: 'refund',
      reference: `referral:${purchaseId}`,
    });
    return amount;
  }
}
