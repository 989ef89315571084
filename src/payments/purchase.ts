import type { PaymentProvider, PurchaseKind, PurchaseStatus } from './purchase.entity';

export interface Purchase {
  id: string;
  userId: number;
  kind: PurchaseKind;
  planCode: string | null;
  amountMinor: number;
  currency: string;
  creditMinor: number | null;
  status: PurchaseStatus;
  provider: PaymentProvider;
  providerInvoiceId: string | null;
  providerChargeId: string | null;
  invoiceUrl: string | null;
  expiresAt: Date | null;
  paidAt: Date | null;
  refundedAt: Date | null;
  /** The promo redemption whose discount this purchase uses, and its percent. */
  promoRedemptionId: string | null;
  discountPercent: number | null;
  createdAt: Date;
}

export interface PurchaseRow {
  id: string;
  user_id: string;
  kind: PurchaseKind;
  plan_code: string | null;
  amount_minor: string;
  currency: string;
  credit_minor: string | null;
  status: PurchaseStatus;
  provider: PaymentProvider;
  provider_invoice_id: string | null;
  provider_charge_id: string | null;
  invoice_url: string | null;
  expires_at: Date | null;
  paid_at: Date | null;
  refunded_at: Date | null;
  promo_redemption_id: string | null;
  discount_percent: number | null;
  created_at: Date;
}

export const PURCHASE_COLUMNS = `id, user_id, kind, plan_code, amount_minor, currency, credit_minor, status, provider,
  provider_invoice_id, provider_charge_id, invoice_url, expires_at, paid_at, refunded_at, promo_redemption_id, discount_percent,
  created_at`;

export function toPurchase(r: PurchaseRow): Purchase {
  return {
    id: r.id,
    userId: Number(r.user_id),
    kind: r.kind,
    planCode: r.plan_code,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    creditMinor: r.credit_minor === null ? null : Number(r.credit_minor),
    status: r.status,
    provider: r.provider,
    providerInvoiceId: r.provider_invoice_id,
    providerChargeId: r.provider_charge_id,
    invoiceUrl: r.invoice_url,
    expiresAt: r.expires_at,
    paidAt: r.paid_at,
    refundedAt: r.refunded_at,
    promoRedemptionId: r.promo_redemption_id,
    discountPercent: r.discount_percent,
    createdAt: r.created_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isPurchaseId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
