import { Injectable } from '@nestjs/common';
import { DbService } from '../../../database/db.service';
import { PURCHASE_COLUMNS, toPurchase, type Purchase, type PurchaseRow } from '../../purchase';
import { EXPIRED_UNCHECKED } from '../../purchases.repository';

export interface PendingInvoice {
  purchaseId: string;
  invoiceId: number;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface InvoiceCursor {
  createdAt: Date;
  purchaseId: string;
}

/** pending → paid only ever goes through PurchasesService.finalize; every method is one short statement. */
@Injectable()
export class CryptoPayRepository {
  constructor(private readonly db: DbService) {}

  async pendingInvoices(q: { limit: number; after?: InvoiceCursor }): Promise<PendingInvoice[]> {
    const rows = await this.db.query<{
      id: string;
      provider_invoice_id: string;
      created_at: Date;
      expires_at: Date | null;
    }>(
      'crypto-pay.pending-invoices',
      `SELECT id, provider_invoice_id, created_at, expires_at FROM purchases
       WHERE provider = 'crypto_pay' AND provider_invoice_id IS NOT NULL
         AND (status = 'pending' OR (status = 'expired' AND failure_reason = $4))
         AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
       ORDER BY created_at, id LIMIT $1`,
      [q.limit, q.after?.createdAt ?? null, q.after?.purchaseId ?? null, EXPIRED_UNCHECKED],
    );
    return rows.map((r) => ({
      purchaseId: r.id,
      invoiceId: Number(r.provider_invoice_id),
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    }));
  }

  /** Pressing pay again shows this invoice instead of opening another. */
  async openInvoiceOf(q: {
    userId: number;
    kind: string;
    planCode: string | null;
    /** The discount the new purchase would spend: an invoice is reused only for the same one. */
    promoRedemptionId: string | null;
    amountMinor: number | null;
    currency: string;
    payableUntil: Date;
  }): Promise<Purchase | null> {
    const rows = await this.db.query<PurchaseRow>(
      'crypto-pay.open-invoice',
      `SELECT ${PURCHASE_COLUMNS} FROM purchases
       WHERE user_id = $1 AND provider = 'crypto_pay' AND status = 'pending' AND currency = $4
         AND provider_invoice_id IS NOT NULL AND invoice_url IS NOT NULL AND expires_at > $5
         AND kind = $6 AND promo_redemption_id IS NOT DISTINCT FROM $7::uuid
         AND (CASE WHEN $2::text IS NULL THEN amount_minor = $3 ELSE plan_code = $2 END)
       ORDER BY created_at DESC LIMIT 1`,
      [q.userId, q.planCode, q.amountMinor, q.currency, q.payableUntil, q.kind, q.promoRedemptionId],
    );
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async purchaseIdOfInvoice(invoiceId: number): Promise<string | null> {
    const rows = await this.db.query<{ id: string }>(
      'crypto-pay.purchase-of-invoice',
      `SELECT id FROM purchases WHERE provider = 'crypto_pay' AND provider_invoice_id = $1`,
      [String(invoiceId)],
    );
    return rows[0]?.id ?? null;
  }

  async statusOf(purchaseId: string): Promise<string | null> {
    const rows = await this.db.query<{ status: string }>(
      'crypto-pay.status',
      `SELECT status FROM purchases WHERE id = $1`,
      [purchaseId],
    );
    return rows[0]?.status ?? null;
  }

  /** The payment itself is recorded by finalize under `invoice:<invoice_id>`. */
  async recordUpdate(e: { updateId: number; purchaseId: string | null; payload: unknown }): Promise<boolean> {
    const rows = await this.db.query(
      'crypto-pay.record-update',
      `INSERT INTO processed_provider_events (provider, event_id, purchase_id, payload)
       VALUES ('crypto_pay', $1, $2, $3) ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [String(e.updateId), e.purchaseId, JSON.stringify(e.payload)],
    );
    return rows.length === 1;
  }

  async markExpired(purchaseId: string, reason = 'invoice expired'): Promise<boolean> {
    const rows = await this.db.query(
      'crypto-pay.mark-expired',
      `UPDATE purchases SET status = 'expired', failure_reason = $2, updated_at = now()
       WHERE id = $1 AND provider = 'crypto_pay'
         AND (status = 'pending' OR (status = 'expired' AND failure_reason = $3)) RETURNING id`,
      [purchaseId, reason, EXPIRED_UNCHECKED],
    );
    return rows.length === 1;
  }

  /** Its request key is released so that the retried update tries again. */
  async markFailed(purchaseId: string, reason: string): Promise<boolean> {
    const rows = await this.db.query(
      'crypto-pay.mark-failed',
      `UPDATE purchases SET status = 'failed', failure_reason = $2, request_key = NULL, updated_at = now()
       WHERE id = $1 AND provider = 'crypto_pay' AND status = 'pending' AND provider_invoice_id IS NULL
       RETURNING id`,
      [purchaseId, reason.slice(0, 500)],
    );
    return rows.length === 1;
  }
}
