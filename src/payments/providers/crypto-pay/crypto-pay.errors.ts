export enum CryptoPayErrorCode {
  /** Crypto Pay answered {ok:false,error:{code,name}}: the request itself was refused. */
  ApiError = 'CRYPTO_PAY_API_ERROR',
  /** Network error, timeout, 429/5xx, malformed answer or open circuit: try again later. */
  Unavailable = 'CRYPTO_PAY_UNAVAILABLE',
  /** CRYPTO_PAY_TOKEN is not configured. */
  Disabled = 'CRYPTO_PAY_DISABLED',
  /** The purchase cannot be paid with Crypto Pay (wrong provider, status or currency). */
  NotPayable = 'CRYPTO_PAY_NOT_PAYABLE',
  /** A webhook without a valid signature, or older than CRYPTO_PAY_WEBHOOK_MAX_AGE_S. */
  WebhookUnauthorized = 'CRYPTO_PAY_WEBHOOK_UNAUTHORIZED',
  /** A signed webhook whose body is not an update. */
  WebhookMalformed = 'CRYPTO_PAY_WEBHOOK_MALFORMED',
}

export class CryptoPayError extends Error {
  constructor(
    readonly code: CryptoPayErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CryptoPayError';
  }
}

export class CryptoPayApiError extends CryptoPayError {
  constructor(
    readonly method: string,
    /** `error.code` of the envelope (undocumented values: treat as opaque). */
    readonly apiCode: number,
    /** `error.name` of the envelope, e.g. INVOICE_NOT_FOUND. */
    readonly apiName: string,
  ) {
    super(CryptoPayErrorCode.ApiError, `Crypto Pay ${method} failed: [${apiCode}] ${apiName}`);
    this.name = 'CryptoPayApiError';
  }
}

export class CryptoPayUnavailableError extends CryptoPayError {
  constructor(
    readonly method: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(CryptoPayErrorCode.Unavailable, `Crypto Pay ${method} unavailable: ${reason}`, options);
    this.name = 'CryptoPayUnavailableError';
  }
}
