export enum StarsErrorCode {
  Disabled = 'STARS_DISABLED',
  NotPayable = 'STARS_NOT_PAYABLE',
  ApiError = 'STARS_API_ERROR',
  Unavailable = 'STARS_UNAVAILABLE',
}

export class StarsError extends Error {
  constructor(
    readonly code: StarsErrorCode,
    message: string,
    readonly api?: { errorCode: number; description: string },
  ) {
    super(message);
    this.name = 'StarsError';
  }
}
