import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../clock/clock';
import { AppConfig } from '../../../config/app-config';
import { PlanCatalog } from '../../../subscriptions/plan-catalog';
import type { PurchaseDiscount } from '../../discount';
import type { Purchase } from '../../purchase';
import { PurchasesService } from '../../purchases.service';
import { isCryptoPayFiat, minorToDecimalString } from './crypto-pay-amount';
import { CryptoPayClient } from './crypto-pay.client';
import { CryptoPayError, CryptoPayErrorCode } from './crypto-pay.errors';
import { CryptoPayRepository } from './crypto-pay.repository';
import type { Lang } from '../../../i18n/langs';
import { t } from '../../../i18n/translate';

export type CryptoPayCheckoutInput =
  | {
      kind: 'subscription' | 'gift';
      userId: number;
      planCode: string;
      currency?: string;
      requestKey?: string;
      discount?: PurchaseDiscount | null;
    }
  | { kind: 'topup'; userId: number; amountMinor: number; currency?: string; requestKey?: string };

export interface CryptoPayInvoiceRef {
  purchase: Purchase;
  invoiceId: number;
  invoiceUrl: string;
  expiresAt: Date;
}

/** The invoice expires first, so a last-moment payment is confirmed while the purchase is pending. */
const EXPIRY_MARGIN_S = 120;
const DELETE_TIMEOUT_MS = 3_000;

/** Invoices are created outside transactions; payment is confirmed only by webhook or watcher. */
@Injectable()
export class CryptoPayService {
  private readonly logger = new Logger('CryptoPayService');

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly client: CryptoPayClient,
    private readonly purchases: PurchasesService,
    private readonly plans: PlanCatalog,
    private readonly repository: CryptoPayRepository,
  ) {}

  get enabled(): boolean {
    return this.config.cryptoPay.enabled;
  }

  async checkout(
    input: CryptoPayCheckoutInput,
    o: { signal?: AbortSignal; lang?: Lang } = {},
  ): Promise<CryptoPayInvoiceRef> {
    this.assertEnabled();
    const currency = input.currency ?? this.config.payments.balanceCurrency;
    if (!isCryptoPayFiat(currency))
      throw new CryptoPayError(CryptoPayErrorCode.NotPayable, `Crypto Pay invoices cannot be in ${currency}`);
    const open = await this.repository.openInvoiceOf({
      userId: input.userId,
      kind: input.kind,
      planCode: input.kind !== 'topup' ? input.planCode : null,
      amountMinor: input.kind === 'topup' ? input.amountMinor : null,
      promoRedemptionId: input.kind !== 'topup' ? (input.discount?.redemptionId ?? null) : null,
      currency,
      payableUntil: new Date(this.clock.now().getTime() + (EXPIRY_MARGIN_S + 60) * 1000),
    });
    if (open) return this.refOf(open);
    const purchase =
      input.kind !== 'topup'
        ? await this.purchases.create({ ...input, provider: 'crypto_pay', currency })
        : await this.purchases.create({ ...input, provider: 'crypto_pay', currency });
    if (purchase.status === 'pending' && purchase.providerInvoiceId && purchase.invoiceUrl)
      return this.refOf(purchase);
    return this.createInvoiceForPurchase(purchase, o);
  }

  private refOf(purchase: Purchase): CryptoPayInvoiceRef {
    const expiresAt = purchase.expiresAt
      ? new Date(purchase.expiresAt.getTime() - EXPIRY_MARGIN_S * 1000)
      : new Date(this.clock.now().getTime() + this.config.cryptoPay.invoiceTtlS * 1000);
    return {
      purchase,
      invoiceId: Number(purchase.providerInvoiceId),
      invoiceUrl: purchase.invoiceUrl!,
      expiresAt,
    };
  }

  async createInvoiceForPurchase(
    purchase: Purchase,
    o: { signal?: AbortSignal; lang?: Lang } = {},
  ): Promise<CryptoPayInvoiceRef> {
    this.assertEnabled();
    if (purchase.provider !== 'crypto_pay' || purchase.status !== 'pending' || purchase.providerInvoiceId)
      throw new CryptoPayError(
        CryptoPayErrorCode.NotPayable,
        `purchase ${purchase.id} (${purchase.provider}, ${purchase.status}) cannot get a Crypto Pay invoice`,
      );
    const expiresInS = this.invoiceLifetimeS(purchase);
    let invoice;
    try {
      invoice = await this.client.createInvoice(
        {
          amountMinor: purchase.amountMinor,
          fiat: purchase.currency,
          acceptedAssets: this.config.cryptoPay.acceptedAssets,
          payload: purchase.id,
          description: this.describe(purchase, o.lang ?? 'en'),
          expiresInS,
        },
        o,
      );
    } catch (err) {
      await this.repository.markFailed(purchase.id, `invoice not created: ${(err as Error).message}`);
      throw err;
    }
    let attached = false;
    try {
      attached = await this.purchases.attachInvoice({
        purchaseId: purchase.id,
        providerInvoiceId: String(invoice.invoice_id),
        invoiceUrl: invoice.bot_invoice_url,
      });
    } finally {
      if (!attached) await this.deleteQuietly(invoice.invoice_id);
    }
    if (!attached)
      throw new CryptoPayError(CryptoPayErrorCode.NotPayable, `purchase ${purchase.id} is no longer pending`);
    const expiresAt = invoice.expiration_date
      ? new Date(invoice.expiration_date)
      : new Date(this.clock.now().getTime() + expiresInS * 1000);
    return {
      purchase: {
        ...purchase,
        providerInvoiceId: String(invoice.invoice_id),
        invoiceUrl: invoice.bot_invoice_url,
      },
      invoiceId: invoice.invoice_id,
      invoiceUrl: invoice.bot_invoice_url,
      expiresAt,
    };
  }

  private invoiceLifetimeS(purchase: Purchase): number {
    const ttl = this.config.cryptoPay.invoiceTtlS;
    if (!purchase.expiresAt) return ttl;
    const left =
      Math.floor((purchase.expiresAt.getTime() - this.clock.now().getTime()) / 1000) - EXPIRY_MARGIN_S;
    if (left < 60)
      throw new CryptoPayError(
        CryptoPayErrorCode.NotPayable,
        `purchase ${purchase.id} expires too soon to pay`,
      );
    return Math.min(ttl, left);
  }

  /** Shown on the invoice in @CryptoBot, in the buyer's language (English when re-invoiced without one). */
  private describe(p: Purchase, lang: Lang): string {
    const amount = `${minorToDecimalString(p.amountMinor)} ${p.currency}`;
    if (p.kind === 'topup') return t(lang, 'invoice.cryptoTopup', { amount });
    const plan = this.plans.find(p.planCode!);
    const values = { days: plan.durationDays, plan: plan.code, amount };
    return t(lang, p.kind === 'gift' ? 'invoice.cryptoGift' : 'invoice.cryptoPlan', values);
  }

  private async deleteQuietly(invoiceId: number): Promise<void> {
    try {
      await this.client.deleteInvoice(invoiceId, { signal: AbortSignal.timeout(DELETE_TIMEOUT_MS) });
    } catch (err) {
      // Harmless if it stays: nobody was shown its URL, and Crypto Pay expires it.
      this.logger.warn(`could not delete orphaned invoice ${invoiceId}: ${(err as Error).message}`);
    }
  }

  private assertEnabled(): void {
    if (!this.enabled)
      throw new CryptoPayError(
        CryptoPayErrorCode.Disabled,
        'Crypto Pay is not configured (CRYPTO_PAY_TOKEN unset)',
      );
  }
}
