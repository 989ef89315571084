import { Injectable, Logger } from '@nestjs/common';
import { PaymentsError } from '../../payments.errors';
import { PurchasesService } from '../../purchases.service';
import { decimalStringToMinor } from './crypto-pay-amount';
import { CryptoPayRepository } from './crypto-pay.repository';
import type { CryptoPayInvoice } from './crypto-pay.types';

export type SettlementOutcome = 'credited' | 'already_credited' | 'expired' | 'still_active' | 'refused';

/**
 * Applies what Crypto Pay says about an invoice (webhook or status poll) to its purchase. A paid invoice goes
 * through PurchasesService.finalize, which moves the purchase to paid exactly once and records the provider
 * event in the same transaction; a refusal (other amount, expired purchase, unknown purchase) changes
 * nothing and is logged for a human, since retrying cannot fix it.
 */
@Injectable()
export class CryptoPaySettlementService {
  private readonly logger = new Logger('CryptoPaySettlementService');

  constructor(
    private readonly purchases: PurchasesService,
    private readonly repository: CryptoPayRepository,
  ) {}

  async settle(purchaseId: string, invoice: CryptoPayInvoice): Promise<SettlementOutcome> {
    if (invoice.status === 'expired')
      return (await this.repository.markExpired(purchaseId)) ? 'expired' : 'already_credited';
    if (invoice.status !== 'paid') return 'still_active';
    const currency = invoice.currency_type === 'fiat' ? invoice.fiat : invoice.asset;
    const amountMinor = decimalStringToMinor(invoice.amount);
    if (!currency || amountMinor === null) {
      this.logger.error(
        `paid invoice ${invoice.invoice_id} of purchase ${purchaseId} has an unreadable amount ${invoice.amount} ${currency}`,
      );
      return 'refused';
    }
    try {
      const result = await this.purchases.finalize({
        purchaseId,
        provider: 'crypto_pay',
        // Keyed by the invoice, not the delivery: webhook and watcher confirm the same payment under one key.
        providerEventId: invoiceEventId(invoice.invoice_id),
        providerInvoiceId: String(invoice.invoice_id),
        amountMinor,
        currency,
        payload: { invoice_id: invoice.invoice_id, paid_at: invoice.paid_at, paid_asset: invoice.paid_asset },
      });
      return result.outcome === 'paid' ? 'credited' : 'already_credited';
    } catch (err) {
      if (!(err instanceof PaymentsError)) throw err;
      // Money may have arrived for a purchase we cannot credit: make it loud and searchable.
      this.logger.error(
        `paid invoice ${invoice.invoice_id} NOT credited to purchase ${purchaseId}: ${err.code} ${err.message}; needs manual review`,
      );
      return 'refused';
    }
  }
}

/** The provider event a Crypto Pay payment is finalized under (webhook deliveries are stored by update_id). */
export function invoiceEventId(invoiceId: number): string {
  return `invoice:${invoiceId}`;
}
