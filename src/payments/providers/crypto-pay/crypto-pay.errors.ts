export enum CryptoPayErrorCode {
  ApiError = 'CRYPTO_PAY_API_ERROR',
  Unavailable = 'CRYPTO_PAY_UNAVAILABLE',
  Disabled = 'CRYPTO_PAY_DISABLED',
  NotPayable = 'CRYPTO_PAY_NOT_PAYABLE',
  WebhookUnauthorized = 'CRYPTO_PAY_WEBHOOK_UNAUTHORIZED',
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
    readonly apiCode: number,
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
