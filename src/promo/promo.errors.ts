export enum PromoErrorCode {
  Unknown = 'PROMO_UNKNOWN',
  Inactive = 'PROMO_INACTIVE',
  NotStarted = 'PROMO_NOT_STARTED',
  Expired = 'PROMO_EXPIRED',
  UsedUp = 'PROMO_USED_UP',
  AlreadyUsed = 'PROMO_ALREADY_USED',
  NewUsersOnly = 'PROMO_NEW_USERS_ONLY',
  FirstPurchaseOnly = 'PROMO_FIRST_PURCHASE_ONLY',
  TrialNotAvailable = 'PROMO_TRIAL_NOT_AVAILABLE',
  Exists = 'PROMO_EXISTS',
  /** Admin: values out of range, plans that do not exist, a window that ends before it starts. */
  Invalid = 'PROMO_INVALID',
}

export class PromoError extends Error {
  constructor(
    readonly code: PromoErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'PromoError';
  }
}
