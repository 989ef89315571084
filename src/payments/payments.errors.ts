export enum PaymentsErrorCode {
  PurchaseNotFound = 'PURCHASE_NOT_FOUND',
  InvalidAmount = 'INVALID_AMOUNT',
  UnsupportedCurrency = 'UNSUPPORTED_CURRENCY',
  UnsupportedProvider = 'UNSUPPORTED_PROVIDER',
  AmountMismatch = 'AMOUNT_MISMATCH',
  ProviderMismatch = 'PROVIDER_MISMATCH',
  InvoiceMismatch = 'INVOICE_MISMATCH',
  PurchaseExpired = 'PURCHASE_EXPIRED',
  PurchaseNotPayable = 'PURCHASE_NOT_PAYABLE',
  ProviderEventReused = 'PROVIDER_EVENT_REUSED',
  InsufficientFunds = 'INSUFFICIENT_FUNDS',
  NotRefundable = 'NOT_REFUNDABLE',
  RefundExceedsBalance = 'REFUND_EXCEEDS_BALANCE',
  TooManyPending = 'TOO_MANY_PENDING',
  /** The ledger already holds this (reason, reference): the effect was applied before. */
  AlreadyApplied = 'ALREADY_APPLIED',
  /** The promo discount is held by another unpaid purchase (or was spent already). */
  DiscountTaken = 'DISCOUNT_TAKEN',
}

export class PaymentsError extends Error {
  constructor(
    readonly code: PaymentsErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'PaymentsError';
  }
}
