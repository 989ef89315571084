import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { Subscription } from '../subscriptions/subscription';
import { SubscriptionGrantsService } from '../subscriptions/subscription-grants.service';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { UsersRepository } from '../users/users.repository';
import { BalanceLedgerRepository } from './balance-ledger.repository';
import { GiftsService } from './gifts/gifts.service';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';
import type { Purchase } from './purchase';
import { ReferralService } from './referral.service';

export interface ReversalEffects {
  subscription: Subscription | null;
  balanceAfter: number | null;
  referralClawedBack: number;
}

@Injectable()
export class PurchaseReversalService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly ledger: BalanceLedgerRepository,
    private readonly grants: SubscriptionGrantsService,
    private readonly referrals: ReferralService,
    private readonly notifications: NotificationsRepository,
    private readonly gifts: GiftsService,
  ) {}

  async reverse(em: EntityManager, p: Purchase, now: Date): Promise<ReversalEffects> {
    await this.users.lock(em, p.userId);
    let subscription: Subscription | null = null;
    let balanceAfter: number | null = null;
    if (p.kind === 'topup') {
      balanceAfter = await this.debitTopup(em, p);
    } else {
      // A gift's access (if redeemed) is the recipient's; the buyer's own subscription is not touched.
      subscription =
        p.kind === 'gift'
          ? await this.gifts.onPurchaseRefunded(em, p, now)
          : await this.grants.takeBack(em, { purchaseId: p.id, userId: p.userId, now });
      // Paid from the balance: the money goes back there. Otherwise the provider returned it.
      if (p.provider === 'balance')
        balanceAfter = await this.ledger.apply(em, {
          userId: p.userId,
          deltaMinor: p.amountMinor,
          reason: 'refund',
          reference: p.id,
        });
    }
    const referralClawedBack = await this.referrals.clawBack(em, p.id);
    await this.notifications.enqueue(em, {
      userId: p.userId,
      kind: 'refund_processed',
      dedupeKey: dedupeKeys.refund(p.id),
      payload: {
        purchaseId: p.id,
        amountMinor: p.amountMinor,
        currency: p.currency,
        toBalance: p.provider === 'balance',
        balanceCurrency: this.config.payments.balanceCurrency,
        expiresAt: p.kind === 'gift' ? null : (subscription?.expiresAt.toISOString() ?? null),
      },
    });
    return { subscription, balanceAfter, referralClawedBack };
  }

  private async debitTopup(em: EntityManager, p: Purchase): Promise<number> {
    try {
      return await this.ledger.apply(em, {
        userId: p.userId,
        deltaMinor: -(p.creditMinor ?? p.amountMinor),
        reason: 'refund',
        reference: p.id,
      });
    } catch (err) {
      if (err instanceof PaymentsError && err.code === PaymentsErrorCode.InsufficientFunds)
        throw new PaymentsError(
          PaymentsErrorCode.RefundExceedsBalance,
          `top-up ${p.id} was spent already; refund it by hand`,
        );
      throw err;
    }
  }
}
