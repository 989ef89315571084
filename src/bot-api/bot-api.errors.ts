/** The Bot API answered `{ok:false}` (400, 401, 403, 409, 429, 5xx). */
export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly description: string,
    readonly retryAfterS?: number,
  ) {
    super(`${method}: ${code} ${description}`);
    this.name = 'TelegramApiError';
  }
}

/** No usable answer: connection refused or reset, deadline passed, or a body that is not the API envelope. */
export class TelegramNetworkError extends Error {
  constructor(
    readonly method: string,
    message: string,
    readonly timedOut = false,
  ) {
    super(`${method}: ${message}`);
    this.name = 'TelegramNetworkError';
  }
}
