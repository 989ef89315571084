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
