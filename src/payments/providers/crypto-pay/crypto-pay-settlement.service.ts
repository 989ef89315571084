import { Injectable, Logger } from '@nestjs/common';
import { LatePaymentService } from '../../late-payment.service';
import { PaymentsError, PaymentsErrorCode } from '../../payments.errors';
import { PurchasesService, type FinalizeInput } from '../../purchases.service';
import { decimalStringToMinor } from './crypto-pay-amount';
import { CryptoPayRepository } from './crypto-pay.repository';
import type { CryptoPayInvoice } from './crypto-pay.types';

export type SettlementOutcome =
  'credited' | 'credited_to_balance' | 'already_credited' | 'expired' | 'still_active' | 'refused';

/** A refusal changes nothing and is logged for a human, since retrying cannot fix it. */
@Injectable()
export class CryptoPaySettlementService {
  private readonly logger = new Logger('CryptoPaySettlementService');

  constructor(
    private readonly purchases: PurchasesService,
    private readonly repository: CryptoPayRepository,
    private readonly latePayments: LatePaymentService,
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
    const confirmation: FinalizeInput = {
      purchaseId,
      provider: 'crypto_pay',
      // Keyed by the invoice, not the delivery: webhook and watcher confirm the same payment under one key.
      providerEventId: invoiceEventId(invoice.invoice_id),
      providerInvoiceId: String(invoice.invoice_id),
      amountMinor,
      currency,
      payload: { invoice_id: invoice.invoice_id, paid_at: invoice.paid_at, paid_asset: invoice.paid_asset },
    };
    try {
      const result = await this.purchases.finalize(confirmation).catch(async (err: unknown) => {
        if (!(err instanceof PaymentsError && err.code === PaymentsErrorCode.PurchaseExpired)) throw err;
        const late = await this.latePayments.credit(confirmation);
        return { outcome: late.outcome === 'credited' ? ('late' as const) : late.outcome };
      });
      if (result.outcome === 'late') return 'credited_to_balance';
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

export function invoiceEventId(invoiceId: number): string {
  return `invoice:${invoiceId}`;
}
