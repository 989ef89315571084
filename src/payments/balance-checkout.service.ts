import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { priceOf, type Plan } from '../subscriptions/plan';
import { UsersError, UsersErrorCode } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import { BalanceLedgerRepository } from './balance-ledger.repository';
import { discountedPrice, type PurchaseDiscount } from './discount';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';
import type { Purchase } from './purchase';
import { PurchaseEffectsService, type PaidEffects } from './purchase-effects.service';
import { PurchasesRepository } from './purchases.repository';

export interface BalanceCheckoutInput {
  userId: number;
  plan: Plan;
  source: 'purchase' | 'auto_renew';
  /** 'gift': bought for someone else (a gift link is made when it is paid). Default 'subscription'. */
  kind?: 'subscription' | 'gift';
  discount?: PurchaseDiscount | null;
  /** Ledger reference of the debit; defaults to the new purchase's id. Auto-renewal names the period. */
  reference?: string;
  now: Date;
}

export interface BalanceCheckoutResult extends PaidEffects {
  purchase: Purchase;
  balanceAfter: number;
}

/** Buys a plan with the balance inside the caller's transaction: debit, paid purchase, grant, together. */
@Injectable()
export class BalanceCheckoutService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly purchases: PurchasesRepository,
    private readonly ledger: BalanceLedgerRepository,
    private readonly effects: PurchaseEffectsService,
  ) {}

  /** The plan's price in the balance currency and whether `balanceMinor` covers it; buy() decides under the lock. */
  quote(
    plan: Plan,
    balanceMinor: number,
    discountPercent?: number | null,
  ): { priceMinor: number; affordable: boolean } {
    const priceMinor = discountedPrice(priceOf(plan, this.config.payments.balanceCurrency), discountPercent);
    return { priceMinor, affordable: balanceMinor >= priceMinor };
  }

  async buy(em: EntityManager, c: BalanceCheckoutInput): Promise<BalanceCheckoutResult> {
    const currency = this.config.payments.balanceCurrency;
    const user = await this.users.lock(em, c.userId);
    if (!user) throw new UsersError(UsersErrorCode.UserNotFound, `user ${c.userId} not found`);
    const { priceMinor: price, affordable } = this.quote(c.plan, user.balanceMinor, c.discount?.percent);
    if (!affordable)
      throw new PaymentsError(
        PaymentsErrorCode.InsufficientFunds,
        `balance ${user.balanceMinor} is below the price ${price} ${currency}`,
      );
    const purchase = await this.purchases.insert(em, {
      userId: c.userId,
      kind: c.kind ?? 'subscription',
      planCode: c.plan.code,
      amountMinor: price,
      currency,
      creditMinor: null,
      provider: 'balance',
      expiresAt: null,
      paidAt: c.now,
      discount: c.discount ?? null,
    });
    const balanceAfter = await this.ledger.apply(em, {
      userId: c.userId,
      deltaMinor: -price,
      reason: c.source === 'auto_renew' ? 'auto_renew' : 'purchase',
      reference: c.reference ?? purchase.id,
    });
    const effects = await this.effects.apply(em, purchase, { now: c.now, source: c.source });
    return { ...effects, purchase, balanceAfter };
  }
}
