import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../clock/clock';
import { AppConfig } from '../../config/app-config';
import { DbService } from '../../database/db.service';
import { dedupeKeys } from '../../notifications/notification-kinds';
import { NotificationsRepository } from '../../notifications/notifications.repository';
import { priceOf } from '../../subscriptions/plan';
import { PlanCatalog } from '../../subscriptions/plan-catalog';
import type { Subscription } from '../../subscriptions/subscription';
import { SubscriptionGrantsService } from '../../subscriptions/subscription-grants.service';
import { BalanceLedgerRepository } from '../balance-ledger.repository';
import type { Purchase } from '../purchase';
import { PurchasesRepository } from '../purchases.repository';
import { GIFT_TOKEN, giftTokenHash, newGiftToken, type Gift } from './gift';
import { GiftsError, GiftsErrorCode } from './gifts.errors';
import { GiftsRepository } from './gifts.repository';

const DAY_MS = 86_400_000;
const REFUND_BATCH = 100;

export interface GiftRefund {
  gift: Gift;
  balanceAfter: number;
}

/** Links keep only a token hash and redeem once; expired or refunded gifts go back to the buyer. */
@Injectable()
export class GiftsService {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly plans: PlanCatalog,
    private readonly gifts: GiftsRepository,
    private readonly purchases: PurchasesRepository,
    private readonly ledger: BalanceLedgerRepository,
    private readonly grants: SubscriptionGrantsService,
    private readonly notifications: NotificationsRepository,
  ) {}

  /** In the paying transaction; the button also covers a balance payment whose screen was lost. */
  async createFor(em: EntityManager, p: Purchase, now: Date): Promise<Gift> {
    const plan = this.plans.find(p.planCode!);
    const balanceCurrency = this.config.payments.balanceCurrency;
    const gift = await this.gifts.insert(em, {
      purchaseId: p.id,
      buyerId: p.userId,
      planCode: plan.code,
      days: plan.durationDays,
      refundMinor: p.currency === balanceCurrency ? p.amountMinor : priceOf(plan, balanceCurrency),
      expiresAt: new Date(now.getTime() + this.config.payments.giftValidDays * DAY_MS),
    });
    await this.notifications.enqueue(em, {
      userId: p.userId,
      kind: 'gift_paid',
      dedupeKey: dedupeKeys.giftPaid(gift.id),
      payload: { giftId: gift.id, planCode: plan.code, expiresAt: gift.expiresAt.toISOString() },
    });
    return gift;
  }

  async get(id: string): Promise<Gift | null> {
    return UUID.test(id) ? this.gifts.findById(id) : null;
  }

  recent(limit: number): Promise<Gift[]> {
    return this.gifts.recent(limit);
  }

  async newLink(buyerId: number, giftId: string): Promise<{ gift: Gift; token: string }> {
    const token = newGiftToken();
    const gift = UUID.test(giftId)
      ? await this.gifts.setTokenHash({
          id: giftId,
          buyerId,
          hash: giftTokenHash(token),
          now: this.clock.now(),
        })
      : null;
    if (gift) return { gift, token };
    const known = await this.get(giftId);
    if (!known || known.buyerId !== buyerId)
      throw new GiftsError(GiftsErrorCode.NotFound, `no gift ${giftId}`);
    throw this.notOpen(known);
  }

  /** Once: the first recipient gets the days (a new subscription or an extension), the buyer is told. */
  async redeem(
    recipientId: number,
    token: string,
  ): Promise<{ gift: Gift; subscription: Subscription; issued: boolean }> {
    if (!GIFT_TOKEN.test(token)) throw new GiftsError(GiftsErrorCode.NotFound, 'not a gift token');
    const hash = giftTokenHash(token);
    const result = await this.db.transaction('gifts.redeem', async (em) => {
      const now = this.clock.now();
      const gift = await this.gifts.markRedeemed(em, { hash, recipientId, now });
      if (!gift) return null;
      const granted = await this.grants.grant(em, {
        userId: recipientId,
        days: gift.days,
        source: 'gift',
        purchaseId: gift.purchaseId,
        planCode: gift.planCode,
        now,
      });
      await this.notifications.enqueue(em, {
        userId: gift.buyerId,
        kind: 'gift_redeemed',
        dedupeKey: dedupeKeys.giftRedeemed(gift.id),
        payload: { giftId: gift.id, planCode: gift.planCode, days: gift.days },
      });
      return { gift, subscription: granted.subscription, issued: granted.issued };
    });
    if (result) return result;
    const known = await this.gifts.findByTokenHash(hash);
    if (!known) throw new GiftsError(GiftsErrorCode.NotFound, 'no gift has this link');
    if (known.status === 'open' && known.buyerId === recipientId)
      throw new GiftsError(GiftsErrorCode.OwnGift, 'the buyer cannot redeem their own gift');
    throw this.notOpen(known);
  }

  /** Refunds once; `expiredOnly` is the job's path. null: not open any more. */
  async refundToBalance(
    giftId: string,
    o: { reason: string; expiredOnly?: boolean },
  ): Promise<GiftRefund | null> {
    if (!UUID.test(giftId)) return null;
    return this.db.transaction('gifts.refund', async (em) => {
      const now = this.clock.now();
      const gift = await this.gifts.markRefunded(em, {
        id: giftId,
        now,
        dueBy: o.expiredOnly ? now : undefined,
      });
      if (!gift) return null;
      await this.purchases.markRefunded(em, { id: gift.purchaseId, now, reason: o.reason });
      const balanceAfter = await this.ledger.apply(em, {
        userId: gift.buyerId,
        deltaMinor: gift.refundMinor,
        reason: 'gift_refund',
        reference: gift.id,
      });
      await this.notifications.enqueue(em, {
        userId: gift.buyerId,
        kind: 'gift_refunded',
        dedupeKey: dedupeKeys.giftRefunded(gift.id),
        payload: {
          giftId: gift.id,
          amountMinor: gift.refundMinor,
          currency: this.config.payments.balanceCurrency,
          balanceAfter,
        },
      });
      return { gift, balanceAfter };
    });
  }

  async refundExpired(o: { signal?: AbortSignal; onBatch?: (n: number) => void } = {}): Promise<number> {
    let total = 0;
    while (!o.signal?.aborted) {
      const due = await this.gifts.dueForRefund(this.clock.now(), REFUND_BATCH);
      let n = 0;
      for (const id of due) {
        if (o.signal?.aborted) break;
        if (await this.refundToBalance(id, { reason: 'gift not redeemed in time', expiredOnly: true })) n++;
      }
      total += n;
      o.onBatch?.(n);
      if (due.length < REFUND_BATCH) break;
    }
    return total;
  }

  /** A refunded purchase closes an open gift or takes a redeemed gift's days back. */
  async onPurchaseRefunded(em: EntityManager, p: Purchase, now: Date): Promise<Subscription | null> {
    const gift = await this.gifts.ofPurchase(em, p.id);
    if (!gift) return null;
    if (gift.status === 'open') {
      await this.gifts.markRefunded(em, { id: gift.id, now });
      return null;
    }
    if (gift.status === 'redeemed' && gift.recipientId !== null)
      return this.grants.takeBack(em, { purchaseId: p.id, userId: gift.recipientId, now });
    return null;
  }

  private notOpen(g: Gift): GiftsError {
    if (g.status === 'redeemed')
      return new GiftsError(GiftsErrorCode.AlreadyRedeemed, `gift ${g.id} was redeemed`);
    if (g.status === 'refunded') return new GiftsError(GiftsErrorCode.Refunded, `gift ${g.id} was refunded`);
    return new GiftsError(GiftsErrorCode.Expired, `gift ${g.id} expired`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
