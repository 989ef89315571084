import { Injectable, Logger } from '@nestjs/common';
import { TelegramApiError } from '../../../bot-api/bot-api.errors';
import { TelegramSenderService } from '../../../bot-api/telegram-sender.service';
import { Clock } from '../../../clock/clock';
import { AppConfig } from '../../../config/app-config';
import { PlanCatalog } from '../../../subscriptions/plan-catalog';
import { STARS_CURRENCY } from '../../../subscriptions/plan';
import { PaymentsError, PaymentsErrorCode } from '../../payments.errors';
import { isPurchaseId, type Purchase } from '../../purchase';
import { PurchasesService, type FinalizeResult, type RefundResult } from '../../purchases.service';
import { minorToDecimalString } from '../crypto-pay/crypto-pay-amount';
import { discountedPrice, type PurchaseDiscount } from '../../discount';
import { starsInvoice, type StarsInvoice } from './stars-invoice';
import {
  refusePreCheckout,
  type PreCheckoutDecision,
  type PreCheckoutQueryLike,
  type RefundedPaymentMessageLike,
  type SuccessfulPaymentMessageLike,
} from './stars-updates';
import { StarsError, StarsErrorCode } from './stars.errors';

/** `requestKey` (`tg:<update_id>`): a redelivered update sends the invoice of the purchase it made first. */
export type StarsCheckoutInput =
  | {
      kind: 'subscription' | 'gift';
      userId: number;
      planCode: string;
      requestKey?: string;
      discount?: PurchaseDiscount | null;
    }
  | { kind: 'topup'; userId: number; stars: number; creditMinor: number; requestKey?: string };

export type StarsPaymentResult =
  | (FinalizeResult & { outcome: 'paid' | 'already_paid' })
  | { outcome: 'returned'; reason: PaymentsErrorCode };

/** A Telegram-side refund the books cannot follow (top-up spent, purchase never paid): a human decides. */
const NOT_REVERSIBLE = new Set<PaymentsErrorCode>([
  PaymentsErrorCode.RefundExceedsBalance,
  PaymentsErrorCode.NotRefundable,
]);

const RETURNABLE = new Set<PaymentsErrorCode>([
  PaymentsErrorCode.PurchaseNotFound,
  PaymentsErrorCode.PurchaseExpired,
  PaymentsErrorCode.PurchaseNotPayable,
  PaymentsErrorCode.AmountMismatch,
  PaymentsErrorCode.ProviderMismatch,
]);

/** Pre-checkout must be fast (one read): Telegram allows 10 s. */
@Injectable()
export class StarsService {
  private readonly logger = new Logger('StarsService');

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly purchases: PurchasesService,
    private readonly plans: PlanCatalog,
    private readonly sender: TelegramSenderService,
  ) {}

  get enabled(): boolean {
    return this.config.stars.enabled;
  }

  async checkout(input: StarsCheckoutInput): Promise<{ purchase: Purchase; invoice: StarsInvoice }> {
    if (!this.enabled) throw new StarsError(StarsErrorCode.Disabled, 'Telegram Stars payments are disabled');
    const purchase =
      input.kind !== 'topup'
        ? await this.purchases.create({ ...input, provider: 'stars', currency: STARS_CURRENCY })
        : await this.purchases.create({
            kind: 'topup',
            userId: input.userId,
            provider: 'stars',
            currency: STARS_CURRENCY,
            amountMinor: input.stars,
            creditMinor: input.creditMinor,
            requestKey: input.requestKey,
          });
    return { purchase, invoice: this.buildInvoice(purchase) };
  }

  buildInvoice(purchase: Purchase, texts: { title?: string; description?: string } = {}): StarsInvoice {
    if (
      purchase.provider !== 'stars' ||
      purchase.currency !== STARS_CURRENCY ||
      purchase.status !== 'pending'
    )
      throw new StarsError(
        StarsErrorCode.NotPayable,
        `purchase ${purchase.id} (${purchase.provider}, ${purchase.currency}, ${purchase.status}) is not a pending Stars purchase`,
      );
    const plan = purchase.kind !== 'topup' ? this.plans.find(purchase.planCode!) : null;
    return starsInvoice({
      title: texts.title ?? (plan ? `VPN for ${plan.durationDays} days` : 'Balance top-up'),
      description:
        texts.description ??
        (plan
          ? `Access to the VPN for ${plan.durationDays} days (plan ${plan.code}). The key arrives right after payment.`
          : `Adds ${minorToDecimalString(purchase.creditMinor ?? 0)} ${this.config.payments.balanceCurrency} to your balance.`),
      payload: purchase.id,
      stars: purchase.amountMinor,
    });
  }

  async answerPreCheckout(q: PreCheckoutQueryLike): Promise<PreCheckoutDecision> {
    if (!this.enabled) return refusePreCheckout('disabled');
    const purchase = await this.find(q.invoice_payload);
    if (!purchase || purchase.provider !== 'stars' || purchase.userId !== q.from.id)
      return refusePreCheckout('unknown_invoice');
    if (purchase.status === 'paid' || purchase.status === 'refunded')
      return refusePreCheckout('already_paid');
    if (purchase.status !== 'pending' || (purchase.expiresAt && purchase.expiresAt <= this.clock.now()))
      return refusePreCheckout('expired');
    if (q.currency !== STARS_CURRENCY || q.total_amount !== purchase.amountMinor)
      return refusePreCheckout('price_changed');
    if (purchase.kind !== 'topup') {
      const plan = this.plans.find(purchase.planCode!);
      const price = plan.starsPrice && discountedPrice(plan.starsPrice, purchase.discountPercent);
      if (!plan.enabled || price !== purchase.amountMinor) return refusePreCheckout('price_changed');
    }
    return { ok: true, purchaseId: purchase.id };
  }

  /** Stars taken for a purchase that can no longer be credited are given back; `signal` bounds that call. */
  async onSuccessfulPayment(
    message: SuccessfulPaymentMessageLike,
    o: { signal?: AbortSignal } = {},
  ): Promise<StarsPaymentResult> {
    const p = message.successful_payment;
    const chargeId = p.telegram_payment_charge_id;
    try {
      const result = await this.purchases.finalize({
        purchaseId: p.invoice_payload,
        provider: 'stars',
        providerEventId: chargeId,
        providerChargeId: chargeId,
        amountMinor: p.total_amount,
        currency: p.currency,
        payload: { telegram_payment_charge_id: chargeId, from: message.from?.id },
      });
      return result as StarsPaymentResult;
    } catch (err) {
      if (!(err instanceof PaymentsError) || !RETURNABLE.has(err.code) || !message.from) throw err;
      this.logger.warn(`returning ${p.total_amount} Stars of charge ${chargeId}: ${err.code} ${err.message}`);
      await this.refundStarPayment(
        { userId: message.from.id, telegramPaymentChargeId: chargeId },
        { signal: o.signal },
      );
      return { outcome: 'returned', reason: err.code };
    }
  }

  /** The provider side is recorded first, so no admin refund sends the Stars a second time. */
  async onRefundedPayment(
    message: RefundedPaymentMessageLike,
  ): Promise<{ outcome: 'refunded' | 'already_refunded' | 'ignored' | 'not_reversible' }> {
    const r = message.refunded_payment;
    const chargeId = r.telegram_payment_charge_id;
    const purchase = r.currency === STARS_CURRENCY ? await this.find(r.invoice_payload) : null;
    if (!purchase || purchase.provider !== 'stars' || purchase.providerChargeId !== chargeId) {
      this.logger.error(
        `refunded Stars charge ${chargeId} matches no paid Stars purchase; needs manual review`,
      );
      return { outcome: 'ignored' };
    }
    await this.purchases.recordProviderRefund({ provider: 'stars', chargeId, purchaseId: purchase.id });
    try {
      const result = await this.purchases.refund({ purchaseId: purchase.id, reason: 'refunded by Telegram' });
      return { outcome: result.outcome };
    } catch (err) {
      if (!(err instanceof PaymentsError) || !NOT_REVERSIBLE.has(err.code)) throw err;
      this.logger.error(
        `Telegram refunded Stars charge ${chargeId} of purchase ${purchase.id} but it cannot be reversed here: ${err.code} ${err.message}; needs manual review`,
      );
      return { outcome: 'not_reversible' };
    }
  }

  /** Books first: the other order could return Stars for a spent top-up; rerunning finishes a failure. */
  async refund(
    purchaseId: string,
    o: { reason?: string } = {},
  ): Promise<RefundResult & { starsReturned: boolean }> {
    const purchase = await this.purchases.get(purchaseId);
    if (purchase.provider !== 'stars' || !purchase.providerChargeId)
      throw new StarsError(StarsErrorCode.NotPayable, `purchase ${purchaseId} was not paid with Stars`);
    const result = await this.purchases.refund({ purchaseId, reason: o.reason ?? 'stars refund' });
    const charge = { provider: 'stars' as const, chargeId: purchase.providerChargeId };
    // Books first (idempotent), then Telegram, once: asked again, only a refund Telegram never confirmed is sent.
    if (await this.purchases.providerRefundDone(charge)) return { ...result, starsReturned: false };
    try {
      const sent = await this.refundStarPayment({
        userId: purchase.userId,
        telegramPaymentChargeId: purchase.providerChargeId,
      });
      await this.purchases.recordProviderRefund({ ...charge, purchaseId });
      return { ...result, starsReturned: !sent.alreadyRefunded };
    } catch (err) {
      this.logger.error(
        `purchase ${purchaseId} is refunded in the books but Telegram did not return the Stars: ${(err as Error).message}; run the refund again`,
      );
      throw err;
    }
  }

  /** telegraf 4.16 has no refundStarPayment: sent raw through the sender (rate limits, deadline). */
  private async refundStarPayment(
    r: { userId: number; telegramPaymentChargeId: string },
    o: { signal?: AbortSignal } = {},
  ): Promise<{ alreadyRefunded: boolean }> {
    const method = 'refundStarPayment';
    try {
      await this.sender.send(
        method,
        { user_id: r.userId, telegram_payment_charge_id: r.telegramPaymentChargeId },
        { signal: o.signal },
      );
      return { alreadyRefunded: false };
    } catch (err) {
      if (err instanceof TelegramApiError) {
        if (/CHARGE_ALREADY_REFUNDED/.test(err.description)) return { alreadyRefunded: true };
        throw new StarsError(StarsErrorCode.ApiError, `${method}: ${err.code} ${err.description}`, {
          errorCode: err.code,
          description: err.description,
        });
      }
      // The Bot API URL holds the bot token: never put it (or a message quoting it) into the error.
      const token = this.config.telegram.botToken;
      const why = token ? (err as Error).message.replaceAll(token, '***') : (err as Error).message;
      throw new StarsError(StarsErrorCode.Unavailable, why.startsWith(method) ? why : `${method}: ${why}`);
    }
  }

  private async find(payload: string): Promise<Purchase | null> {
    if (!isPurchaseId(payload)) return null;
    try {
      return await this.purchases.get(payload);
    } catch (err) {
      if (err instanceof PaymentsError && err.code === PaymentsErrorCode.PurchaseNotFound) return null;
      throw err;
    }
  }
}
