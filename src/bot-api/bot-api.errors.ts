/** The Bot API answered `{ok:false}`: 400 bad request, 401 token, 403 blocked, 409 conflict, 429 flood, 5xx. */
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
