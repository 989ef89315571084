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

export const PRE_CHECKOUT_MESSAGES: Record<PreCheckoutRefusal, string> = {
  disabled: 'Payments with Telegram Stars are not available right now.',
  unknown_invoice: 'This invoice is no longer valid. Please start the purchase again.',
  already_paid: 'This invoice has already been paid.',
  expired: 'This invoice has expired. Please start the purchase again.',
  price_changed: 'The price has changed since this invoice was made. Please start the purchase again.',
};

export interface RefundedPaymentMessageLike {
  refunded_payment: {
    currency: string;
    total_amount: number;
    invoice_payload: string;
    telegram_payment_charge_id: string;
  };
}

export function refusePreCheckout(reason: PreCheckoutRefusal): PreCheckoutDecision {
  return { ok: false, reason, errorMessage: PRE_CHECKOUT_MESSAGES[reason] };
}
