export enum UsersErrorCode {
  UserNotFound = 'USER_NOT_FOUND',
  InvalidTelegramId = 'INVALID_TELEGRAM_ID',
}

export class UsersError extends Error {
  constructor(
    readonly code: UsersErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'UsersError';
  }
}
