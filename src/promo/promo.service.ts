import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { DbService } from '../database/db.service';
import type { PurchaseDiscount } from '../payments/discount';
import { BalanceService } from '../payments/balance.service';
import type { Subscription } from '../subscriptions/subscription';
import { SubscriptionGrantsService } from '../subscriptions/subscription-grants.service';
import { SubscriptionsError } from '../subscriptions/subscriptions.errors';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { UsersService } from '../users/users.service';
import { normalizeCode, type PromoCode } from './promo-code';
import { PromoCodesRepository } from './promo-codes.repository';
import { PromoError, PromoErrorCode } from './promo.errors';

/** Thrown inside the transaction when no use was left: rolls it back, then becomes the precise refusal. */
const NO_USE = Symbol('no promo use left');

export type RedeemResult =
  | { kind: 'days'; code: PromoCode; days: number; subscription: Subscription; issued: boolean }
  | { kind: 'credit'; code: PromoCode; amountMinor: number; balanceAfter: number }
  | { kind: 'discount'; code: PromoCode; percent: number; planCodes: string[] | null }
  | { kind: 'trial'; code: PromoCode; days: number; subscription: Subscription };

/** Once per (code, user), never past max_uses, effect in the same transaction: refusals leave nothing. */
@Injectable()
export class PromoService {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly codes: PromoCodesRepository,
    private readonly grants: SubscriptionGrantsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly balance: BalanceService,
  ) {}

  async redeem(userId: number, rawCode: string): Promise<RedeemResult> {
    await this.users.get(userId);
    const name = normalizeCode(rawCode);
    const code = name ? await this.codes.findByCode(name) : null;
    if (!code) throw new PromoError(PromoErrorCode.Unknown, `no promo code ${rawCode}`);
    this.assertOpen(code, this.clock.now());
    if (code.newUsersOnly || code.firstPurchaseOnly) {
      const h = await this.codes.history(userId);
      if (code.newUsersOnly && (h.hadSubscription || h.paidPurchases > 0))
        throw new PromoError(PromoErrorCode.NewUsersOnly, `${code.code} is for new users`);
      if (code.firstPurchaseOnly && h.paidPurchases > 0)
        throw new PromoError(PromoErrorCode.FirstPurchaseOnly, `${code.code} is for a first purchase`);
    }
    return this.db
      .transaction('promo.redeem', (em) => this.apply(em, code, userId))
      .catch(async (err: unknown) => {
        // Explained after the rollback, on a fresh read: no second connection while this one is held.
        throw err === NO_USE ? await this.whyNoUse(code.code) : err;
      });
  }

  private async apply(em: EntityManager, code: PromoCode, userId: number): Promise<RedeemResult> {
    {
      const now = this.clock.now();
      const redemptionId = await this.codes.insertRedemption(em, { codeId: code.id, userId });
      if (!redemptionId) throw new PromoError(PromoErrorCode.AlreadyUsed, `${code.code} was redeemed before`);
      if (!(await this.codes.takeUse(em, { id: code.id, now }))) throw NO_USE;
      switch (code.kind) {
        case 'days': {
          const g = await this.grants.grant(em, {
            userId,
            days: code.value,
            source: 'promo',
            requestKey: `promo:${redemptionId}`,
            now,
          });
          return { kind: 'days', code, days: code.value, subscription: g.subscription, issued: g.issued };
        }
        case 'credit': {
          const balanceAfter = await this.balance.creditPromo(em, {
            userId,
            amountMinor: code.value,
            redemptionId,
          });
          return { kind: 'credit', code, amountMinor: code.value, balanceAfter };
        }
        case 'trial': {
          const subscription = await this.subscriptions
            .startTrialWithin(em, userId, { days: code.value, now })
            .catch((err: unknown) => {
              if (err instanceof SubscriptionsError)
                throw new PromoError(PromoErrorCode.TrialNotAvailable, err.message);
              throw err;
            });
          return { kind: 'trial', code, days: code.value, subscription };
        }
        case 'discount':
          return { kind: 'discount', code, percent: code.value, planCodes: code.planCodes };
      }
    }
  }

  /** A discount held by an unpaid invoice is returned too: the purchases' unique index refuses reusing it. */
  async discountFor(userId: number, planCode: string): Promise<PurchaseDiscount | null> {
    const held = (await this.codes.unspentDiscounts(userId)).filter(
      (d) => !d.planCodes || d.planCodes.includes(planCode),
    );
    if (!held.length) return null;
    const firstOnly = held.some((d) => d.firstPurchaseOnly);
    const paidBefore = firstOnly ? (await this.codes.history(userId)).paidPurchases > 0 : false;
    const usable = held.find((d) => !(d.firstPurchaseOnly && paidBefore));
    return usable ? { redemptionId: usable.redemptionId, percent: usable.percent } : null;
  }

  private assertOpen(code: PromoCode, now: Date): void {
    if (!code.active) throw new PromoError(PromoErrorCode.Inactive, `${code.code} is switched off`);
    if (code.startsAt && code.startsAt > now)
      throw new PromoError(PromoErrorCode.NotStarted, `${code.code} starts later`);
    if (code.endsAt && code.endsAt <= now)
      throw new PromoError(PromoErrorCode.Expired, `${code.code} expired`);
    if (code.maxUses !== null && code.uses >= code.maxUses)
      throw new PromoError(PromoErrorCode.UsedUp, `${code.code} is used up`);
  }

  private async whyNoUse(name: string): Promise<PromoError> {
    const now = this.clock.now();
    const code = await this.codes.findByCode(name);
    try {
      if (code) this.assertOpen(code, now);
    } catch (err) {
      return err as PromoError;
    }
    return new PromoError(PromoErrorCode.UsedUp, `${name} is used up`);
  }
}
