export enum GiftsErrorCode {
  /** No gift has this link (never made, or replaced by a newer link). */
  NotFound = 'GIFT_NOT_FOUND',
  AlreadyRedeemed = 'GIFT_ALREADY_REDEEMED',
  Expired = 'GIFT_EXPIRED',
  Refunded = 'GIFT_REFUNDED',
  /** The buyer opened their own gift link. */
  OwnGift = 'GIFT_OWN',
}

export class GiftsError extends Error {
  constructor(
    readonly code: GiftsErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'GiftsError';
  }
}
