import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import { PURCHASE_COLUMNS as COLUMNS, toPurchase, type Purchase, type PurchaseRow } from './purchase';
import type { PaymentProvider, PurchaseKind } from './purchase.entity';
import { isDiscountTaken, type PurchaseDiscount } from './discount';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';

export interface NewPurchase {
  userId: number;
  kind: PurchaseKind;
  planCode: string | null;
  amountMinor: number;
  currency: string;
  creditMinor: number | null;
  provider: PaymentProvider;
  expiresAt: Date | null;
  paidAt?: Date;
  requestKey?: string | null;
  /** A promo discount this purchase spends (unique among live purchases: a second one is refused). */
  discount?: PurchaseDiscount | null;
}

export interface PaidMark {
  id: string;
  now: Date;
  providerInvoiceId: string | null;
  providerChargeId: string | null;
}

@Injectable()
export class PurchasesRepository {
  constructor(private readonly db: DbService) {}

  async create(p: NewPurchase): Promise<Purchase> {
    const rows = await this.db
      .query<PurchaseRow>('purchases.create', INSERT, params(p))
      .catch((err: unknown) => {
        throw isDiscountTaken(err) ? discountTaken(p) : err;
      });
    if (rows[0]) return toPurchase(rows[0]);
    const earlier = p.requestKey ? await this.findByRequestKey(p.requestKey) : null;
    if (!earlier) throw new Error(`purchase of request ${p.requestKey} neither created nor found`);
    return earlier;
  }

  async findByRequestKey(requestKey: string): Promise<Purchase | null> {
    const rows = await this.db.query<PurchaseRow>(
      'purchases.find-by-request',
      `SELECT ${COLUMNS} FROM purchases WHERE request_key = $1`,
      [requestKey],
    );
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async insert(em: EntityManager, p: NewPurchase): Promise<Purchase> {
    const rows = await queryRows<PurchaseRow>(em, INSERT, params(p)).catch((err: unknown) => {
      throw isDiscountTaken(err) ? discountTaken(p) : err;
    });
    return toPurchase(rows[0]);
  }

  async findById(id: string): Promise<Purchase | null> {
    const rows = await this.db.query<PurchaseRow>(
      'purchases.find',
      `SELECT ${COLUMNS} FROM purchases WHERE id = $1`,
      [id],
    );
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async get(em: EntityManager, id: string): Promise<Purchase | null> {
    const rows = await queryRows<PurchaseRow>(em, `SELECT ${COLUMNS} FROM purchases WHERE id = $1`, [id]);
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async attachInvoice(a: {
    id: string;
    providerInvoiceId: string;
    invoiceUrl: string | null;
  }): Promise<boolean> {
    const rows = await this.db.query(
      'purchases.attach-invoice',
      `UPDATE purchases SET provider_invoice_id = $2, invoice_url = $3, updated_at = now()
       WHERE id = $1 AND status = 'pending' AND provider_invoice_id IS NULL RETURNING id`,
      [a.id, a.providerInvoiceId, a.invoiceUrl],
    );
    return rows.length === 1;
  }

  /** The exactly-once step: only one caller ever moves a purchase from pending to paid. */
  async markPaid(em: EntityManager, m: PaidMark): Promise<Purchase | null> {
    const rows = await queryRows<PurchaseRow>(
      em,
      `UPDATE purchases SET status = 'paid', paid_at = $2,
              provider_invoice_id = COALESCE(provider_invoice_id, $3),
              provider_charge_id = COALESCE($4, provider_charge_id), updated_at = now()
       WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
      [m.id, m.now, m.providerInvoiceId, m.providerChargeId],
    );
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async markRefunded(
    em: EntityManager,
    r: { id: string; now: Date; reason: string | null },
  ): Promise<Purchase | null> {
    const rows = await queryRows<PurchaseRow>(
      em,
      `UPDATE purchases SET status = 'refunded', refunded_at = $2, failure_reason = $3, updated_at = now()
       WHERE id = $1 AND status = 'paid' RETURNING ${COLUMNS}`,
      [r.id, r.now, r.reason],
    );
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async recordEvent(
    em: EntityManager,
    e: { provider: PaymentProvider; eventId: string; purchaseId: string; payload: unknown },
  ): Promise<boolean> {
    const rows = await queryRows(
      em,
      `INSERT INTO processed_provider_events (provider, event_id, purchase_id, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [e.provider, e.eventId, e.purchaseId, e.payload === undefined ? null : JSON.stringify(e.payload)],
    );
    return rows.length === 1;
  }

  async eventPurchase(em: EntityManager, provider: PaymentProvider, eventId: string): Promise<string | null> {
    const rows = await queryRows<{ purchase_id: string | null }>(
      em,
      `SELECT purchase_id FROM processed_provider_events WHERE provider = $1 AND event_id = $2`,
      [provider, eventId],
    );
    return rows[0]?.purchase_id ?? null;
  }

  async pendingSince(q: { userId: number; since: Date }): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      'purchases.pending-since',
      `SELECT count(*)::int AS n FROM purchases
       WHERE user_id = $1 AND status = 'pending' AND provider IN ('crypto_pay', 'stars') AND created_at > $2`,
      [q.userId, q.since],
    );
    return rows[0].n;
  }

  async hasOtherPaid(em: EntityManager, q: { userId: number; exceptId: string }): Promise<boolean> {
    const rows = await queryRows(
      em,
      `SELECT 1 FROM purchases WHERE user_id = $1 AND id <> $2 AND status IN ('paid', 'refunded')
         AND provider <> 'balance' LIMIT 1`,
      [q.userId, q.exceptId],
    );
    return rows.length > 0;
  }

  async markPaidLate(em: EntityManager, m: PaidMark & { creditMinor: number }): Promise<Purchase | null> {
    const rows = await queryRows<PurchaseRow>(
      em,
      `UPDATE purchases SET status = 'paid', paid_at = $2, credit_minor = $5,
              provider_invoice_id = COALESCE(provider_invoice_id, $3),
              provider_charge_id = COALESCE($4, provider_charge_id),
              failure_reason = 'paid after expiry: credited to the balance', updated_at = now()
       WHERE id = $1 AND status = 'expired' RETURNING ${COLUMNS}`,
      [m.id, m.now, m.providerInvoiceId, m.providerChargeId, m.creditMinor],
    );
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  async expireStale(q: { now: Date; limit: number; keepCryptoPayInvoices: boolean }): Promise<number> {
    const rows = await this.db.query(
      'purchases.expire-stale',
      `UPDATE purchases SET status = 'expired', failure_reason = $4, updated_at = now()
       WHERE id IN (SELECT id FROM purchases WHERE status = 'pending' AND expires_at <= $1
                      AND NOT ($3 AND provider = 'crypto_pay' AND provider_invoice_id IS NOT NULL)
                    ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [q.now, q.limit, q.keepCryptoPayInvoices, EXPIRED_UNCHECKED],
    );
    return rows.length;
  }
}

/** failure_reason of a purchase expired by time alone: its provider may still report a payment. */
export const EXPIRED_UNCHECKED = 'not paid in time';

const INSERT = `INSERT INTO purchases (user_id, kind, plan_code, amount_minor, currency, credit_minor, provider,
                                       expires_at, status, paid_at, request_key, promo_redemption_id,
                                       discount_percent)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::timestamptz IS NULL THEN 'pending' ELSE 'paid' END, $9,
          $10, $11, $12)
  ON CONFLICT (request_key) WHERE request_key IS NOT NULL DO NOTHING
  RETURNING ${COLUMNS}`;

function discountTaken(p: NewPurchase): PaymentsError {
  return new PaymentsError(
    PaymentsErrorCode.DiscountTaken,
    `discount ${p.discount?.redemptionId} is held by another purchase`,
  );
}

function params(p: NewPurchase): unknown[] {
  return [
    p.userId,
    p.kind,
    p.planCode,
    p.amountMinor,
    p.currency,
    p.creditMinor,
    p.provider,
    p.expiresAt,
    p.paidAt ?? null,
    p.requestKey ?? null,
    p.discount?.redemptionId ?? null,
    p.discount?.percent ?? null,
  ];
}
