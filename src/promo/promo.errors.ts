export enum PromoErrorCode {
  Unknown = 'PROMO_UNKNOWN',
  /** Switched off by an admin. */
  Inactive = 'PROMO_INACTIVE',
  NotStarted = 'PROMO_NOT_STARTED',
  Expired = 'PROMO_EXPIRED',
  /** Every use of the code is taken. */
  UsedUp = 'PROMO_USED_UP',
  /** This user redeemed the code before. */
  AlreadyUsed = 'PROMO_ALREADY_USED',
  NewUsersOnly = 'PROMO_NEW_USERS_ONLY',
  FirstPurchaseOnly = 'PROMO_FIRST_PURCHASE_ONLY',
  /** A trial code for someone who had a trial or a subscription. */
  TrialNotAvailable = 'PROMO_TRIAL_NOT_AVAILABLE',
  /** Admin: a code with this name exists. */
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
