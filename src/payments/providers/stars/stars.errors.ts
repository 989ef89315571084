export enum StarsErrorCode {
  /** STARS_ENABLED=false. */
  Disabled = 'STARS_DISABLED',
  /** The purchase cannot be offered or refunded through Stars (other provider, status, no charge). */
  NotPayable = 'STARS_NOT_PAYABLE',
  /** The Bot API refused the call ({ok:false}). */
  ApiError = 'STARS_API_ERROR',
  /** The Bot API could not be reached in time or answered garbage. */
  Unavailable = 'STARS_UNAVAILABLE',
}

export class StarsError extends Error {
  constructor(
    readonly code: StarsErrorCode,
    message: string,
    /** Bot API error_code and description, for ApiError. */
    readonly api?: { errorCode: number; description: string },
  ) {
    super(message);
    this.name = 'StarsError';
  }
}
