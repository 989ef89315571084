import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { DbService } from '../database/db.service';
import { PlanCatalog } from '../subscriptions/plan-catalog';
import { priceOf, STARS_CURRENCY } from '../subscriptions/plan';
import { UsersService } from '../users/users.service';
import { BalanceCheckoutService, type BalanceCheckoutResult } from './balance-checkout.service';
import { discountedPrice, type PurchaseDiscount } from './discount';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';
import { checkConfirmation, eventReused, isUniqueViolation } from './purchase-confirmation';
import { isPurchaseId, type Purchase } from './purchase';
import type { PaymentProvider } from './purchase.entity';
import { PurchaseEffectsService, type PaidEffects } from './purchase-effects.service';
import { PurchaseReversalService, type ReversalEffects } from './purchase-reversal.service';
import { PurchasesRepository } from './purchases.repository';

export type InvoiceProvider = Extract<PaymentProvider, 'crypto_pay' | 'stars'>;

/** `requestKey` (e.g. `tg:<update_id>`): a redelivered request gets the purchase it created the first time. */
export type CreatePurchaseInput =
  | {
      kind: 'subscription' | 'gift';
      userId: number;
      provider: InvoiceProvider;
      planCode: string;
      currency: string;
      requestKey?: string;
      discount?: PurchaseDiscount | null;
    }
  | {
      kind: 'topup';
      requestKey?: string;
      userId: number;
      provider: InvoiceProvider;
      amountMinor: number;
      currency: string;
      creditMinor?: number;
    };

export interface FinalizeInput {
  purchaseId: string;
  provider: PaymentProvider;
  /** Unique per provider: Crypto Pay update id or `poll:<invoice_id>`, Stars telegram_payment_charge_id. */
  providerEventId: string;
  providerInvoiceId?: string | null;
  providerChargeId?: string | null;
  amountMinor: number;
  currency: string;
  payload?: unknown;
}

export interface FinalizeResult extends Partial<PaidEffects> {
  outcome: 'paid' | 'already_paid';
  purchase: Purchase;
}

export interface RefundResult extends Partial<ReversalEffects> {
  outcome: 'refunded' | 'already_refunded';
  purchase: Purchase;
}

const PURCHASE_EXPIRY_BATCH = 500;

@Injectable()
export class PurchasesService {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly plans: PlanCatalog,
    private readonly purchases: PurchasesRepository,
    private readonly effects: PurchaseEffectsService,
    private readonly checkout: BalanceCheckoutService,
    private readonly reversal: PurchaseReversalService,
  ) {}

  async create(input: CreatePurchaseInput): Promise<Purchase> {
    const user = await this.users.get(input.userId);
    const earlier = input.requestKey ? await this.purchases.findByRequestKey(input.requestKey) : null;
    if (earlier && earlier.userId === user.id) return earlier;
    if (earlier)
      throw new PaymentsError(
        PaymentsErrorCode.PurchaseNotPayable,
        `request ${input.requestKey} is another user's`,
      );
    await this.assertUnderPendingCap(user.id);
    const requestKey = input.requestKey ?? null;
    const { provider, currency } = input;
    if (provider !== 'crypto_pay' && provider !== 'stars')
      throw new PaymentsError(
        PaymentsErrorCode.UnsupportedProvider,
        `cannot invoice through ${String(provider)}`,
      );
    if ((provider === 'stars') !== (currency === STARS_CURRENCY))
      throw new PaymentsError(PaymentsErrorCode.UnsupportedCurrency, `${provider} does not take ${currency}`);
    const expiresAt = new Date(
      this.clock.now().getTime() + this.config.payments.purchasePendingTtlMinutes * 60_000,
    );
    if (input.kind !== 'topup') {
      const plan = this.plans.get(input.planCode);
      return this.purchases.create({
        userId: user.id,
        kind: input.kind,
        planCode: plan.code,
        amountMinor: discountedPrice(priceOf(plan, currency), input.discount?.percent),
        currency,
        creditMinor: null,
        provider,
        expiresAt,
        requestKey,
        discount: input.discount ?? null,
      });
    }
    assertAmount(input.amountMinor, 'amount');
    const balanceCurrency = this.config.payments.balanceCurrency;
    const creditMinor = input.creditMinor ?? (currency === balanceCurrency ? input.amountMinor : undefined);
    if (creditMinor === undefined)
      throw new PaymentsError(
        PaymentsErrorCode.UnsupportedCurrency,
        `a top-up in ${currency} needs the credit in ${balanceCurrency}`,
      );
    assertAmount(creditMinor, 'credit');
    return this.purchases.create({
      userId: user.id,
      kind: 'topup',
      planCode: null,
      amountMinor: input.amountMinor,
      currency,
      creditMinor,
      provider,
      expiresAt,
      requestKey,
    });
  }

  /** One user cannot open invoices without end (each is a provider call on a circuit shared by everyone). */
  private async assertUnderPendingCap(userId: number): Promise<void> {
    const max = this.config.payments.pendingPerHourMax;
    const since = new Date(this.clock.now().getTime() - 3_600_000);
    if ((await this.purchases.pendingSince({ userId, since })) >= max)
      throw new PaymentsError(PaymentsErrorCode.TooManyPending, `user ${userId} has ${max} unpaid invoices`);
  }

  async attachInvoice(a: { purchaseId: string; providerInvoiceId: string; invoiceUrl?: string | null }) {
    if (!isPurchaseId(a.purchaseId) || !(await this.purchases.findById(a.purchaseId)))
      throw new PaymentsError(PaymentsErrorCode.PurchaseNotFound, `purchase ${a.purchaseId} not found`);
    return this.purchases.attachInvoice({
      id: a.purchaseId,
      providerInvoiceId: a.providerInvoiceId,
      invoiceUrl: a.invoiceUrl ?? null,
    });
  }

  async get(purchaseId: string): Promise<Purchase> {
    const purchase = isPurchaseId(purchaseId) ? await this.purchases.findById(purchaseId) : null;
    if (!purchase)
      throw new PaymentsError(PaymentsErrorCode.PurchaseNotFound, `purchase ${purchaseId} not found`);
    return purchase;
  }

  /** Exactly once: one conditional update marks it paid and every effect commits in that transaction. */
  async finalize(input: FinalizeInput): Promise<FinalizeResult> {
    const known = await this.get(input.purchaseId);
    checkConfirmation(known, input);
    return this.db.transaction('purchases.finalize', async (em) => {
      const now = this.clock.now();
      const seenFor = await this.purchases.eventPurchase(em, input.provider, input.providerEventId);
      if (seenFor && seenFor !== known.id) throw eventReused(input);
      const paid = await this.purchases
        .markPaid(em, {
          id: known.id,
          now,
          providerInvoiceId: input.providerInvoiceId ?? null,
          providerChargeId: input.providerChargeId ?? null,
        })
        .catch((err: unknown) => {
          // The charge or invoice id is unique per provider: it already paid for another purchase.
          throw isUniqueViolation(err) ? eventReused(input) : err;
        });
      if (!paid) {
        const current = (await this.purchases.get(em, known.id))!;
        if (current.status === 'paid' || current.status === 'refunded')
          return { outcome: 'already_paid', purchase: current };
        if (current.status === 'expired')
          throw new PaymentsError(PaymentsErrorCode.PurchaseExpired, `purchase ${known.id} expired unpaid`);
        throw new PaymentsError(
          PaymentsErrorCode.PurchaseNotPayable,
          `purchase ${known.id} is ${current.status}`,
        );
      }
      const recorded = await this.purchases.recordEvent(em, {
        provider: input.provider,
        eventId: input.providerEventId,
        purchaseId: paid.id,
        payload: input.payload,
      });
      if (!recorded) throw eventReused(input);
      const effects = await this.effects.apply(em, paid, { now });
      return { outcome: 'paid', purchase: paid, ...effects };
    });
  }

  /** Debit and access commit together or not at all; a reused `reference` is refused (AlreadyApplied). */
  async payFromBalance(input: {
    userId: number;
    planCode: string;
    reference?: string;
    kind?: 'subscription' | 'gift';
    discount?: PurchaseDiscount | null;
  }): Promise<BalanceCheckoutResult> {
    await this.users.get(input.userId);
    const plan = this.plans.get(input.planCode);
    priceOf(plan, this.config.payments.balanceCurrency);
    return this.db.transaction('purchases.pay-from-balance', (em) =>
      this.checkout.buy(em, {
        userId: input.userId,
        plan,
        source: 'purchase',
        kind: input.kind,
        discount: input.discount,
        reference: input.reference,
        now: this.clock.now(),
      }),
    );
  }

  /** A top-up already spent cannot be refunded (typed error, nothing changes). */
  async refund(input: { purchaseId: string; reason?: string }): Promise<RefundResult> {
    const known = await this.get(input.purchaseId);
    return this.db.transaction('purchases.refund', async (em) => {
      const now = this.clock.now();
      const refunded = await this.purchases.markRefunded(em, {
        id: known.id,
        now,
        reason: input.reason ?? null,
      });
      if (!refunded) {
        const current = (await this.purchases.get(em, known.id))!;
        if (current.status === 'refunded') return { outcome: 'already_refunded', purchase: current };
        throw new PaymentsError(PaymentsErrorCode.NotRefundable, `purchase ${known.id} is ${current.status}`);
      }
      const effects = await this.reversal.reverse(em, refunded, now);
      return { outcome: 'refunded', purchase: refunded, ...effects };
    });
  }

  /** Recorded as `refund:<charge>`: asked again, the provider is called only if that never succeeded. */
  async providerRefundDone(p: { provider: PaymentProvider; chargeId: string }): Promise<boolean> {
    return this.db.transaction('purchases.provider-refund-done', async (em) =>
      Boolean(await this.purchases.eventPurchase(em, p.provider, `refund:${p.chargeId}`)),
    );
  }

  async recordProviderRefund(p: {
    provider: PaymentProvider;
    chargeId: string;
    purchaseId: string;
  }): Promise<void> {
    await this.db.transaction('purchases.provider-refund', (em) =>
      this.purchases.recordEvent(em, {
        provider: p.provider,
        eventId: `refund:${p.chargeId}`,
        purchaseId: p.purchaseId,
        payload: null,
      }),
    );
  }

  /** Purchases with a Crypto Pay invoice are left to the watcher, which first asks Crypto Pay. */
  async expireStale(opts: { signal?: AbortSignal; onBatch?: (n: number) => void } = {}): Promise<number> {
    let total = 0;
    const keepCryptoPayInvoices = this.config.cryptoPay.enabled;
    while (!opts.signal?.aborted) {
      const n = await this.purchases.expireStale({
        now: this.clock.now(),
        limit: PURCHASE_EXPIRY_BATCH,
        keepCryptoPayInvoices,
      });
      total += n;
      opts.onBatch?.(n);
      if (n < PURCHASE_EXPIRY_BATCH) break;
    }
    return total;
  }
}

function assertAmount(v: unknown, what: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    throw new PaymentsError(
      PaymentsErrorCode.InvalidAmount,
      `${what} must be a positive whole number of minor units`,
    );
}
