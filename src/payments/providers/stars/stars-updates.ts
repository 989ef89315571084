import { t } from '../../../i18n/translate';

export interface PreCheckoutQueryLike {
  from: { id: number };
  currency: string;
  total_amount: number;
  invoice_payload: string;
}

export interface SuccessfulPaymentMessageLike {
  from?: { id: number };
  successful_payment: {
    currency: string;
    total_amount: number;
    invoice_payload: string;
    telegram_payment_charge_id: string;
  };
}

export type PreCheckoutRefusal =
  'disabled' | 'unknown_invoice' | 'already_paid' | 'expired' | 'price_changed';
export type PreCheckoutDecision =
  { ok: true; purchaseId: string } | { ok: false; reason: PreCheckoutRefusal; errorMessage: string };

export interface RefundedPaymentMessageLike {
  refunded_payment: {
    currency: string;
    total_amount: number;
    invoice_payload: string;
    telegram_payment_charge_id: string;
  };
}

export function refusePreCheckout(reason: PreCheckoutRefusal): PreCheckoutDecision {
  // English; the bot answers in the user's language (the same `stars.refusal.*` keys).
  return { ok: false, reason, errorMessage: t('en', `stars.refusal.${reason}`) };
}
