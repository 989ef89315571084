import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import type { User } from './user';
import { UsersError, UsersErrorCode } from './users.errors';
import { UsersRepository } from './users.repository';

export interface TelegramProfile {
  telegramId: number;
  username?: string | null;
  firstName?: string | null;
  languageCode?: string | null;
  /** From the /start payload; honoured only when the user is created, never for oneself. */
  referrerId?: number | null;
}

const DEFAULT_LANGUAGE = 'en';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  async upsertFromTelegram(p: TelegramProfile): Promise<{ user: User; created: boolean }> {
    assertTelegramId(p.telegramId);
    const referrerId = p.referrerId != null && isTelegramId(p.referrerId) ? p.referrerId : null;
    return this.users.upsert({
      id: p.telegramId,
      username: p.username ?? null,
      firstName: p.firstName ?? null,
      languageCode: normaliseLanguage(p.languageCode),
      referrerId: referrerId === p.telegramId ? null : referrerId,
      now: this.clock.now(),
    });
  }

  async touch(telegramId: number): Promise<void> {
    assertTelegramId(telegramId);
    if (!(await this.users.touch(telegramId, this.clock.now())))
      throw new UsersError(UsersErrorCode.UserNotFound, `user ${telegramId} not found`);
  }

  async markBlocked(telegramId: number): Promise<void> {
    assertTelegramId(telegramId);
    if (!(await this.users.markBlocked(telegramId, this.clock.now())))
      throw new UsersError(UsersErrorCode.UserNotFound, `user ${telegramId} not found`);
  }

  async setLanguage(telegramId: number, languageCode: string): Promise<void> {
    assertTelegramId(telegramId);
    if (!(await this.users.setLanguage(telegramId, normaliseLanguage(languageCode))))
      throw new UsersError(UsersErrorCode.UserNotFound, `user ${telegramId} not found`);
  }

  async get(telegramId: number): Promise<User> {
    assertTelegramId(telegramId);
    const user = await this.users.findById(telegramId);
    if (!user) throw new UsersError(UsersErrorCode.UserNotFound, `user ${telegramId} not found`);
    return user;
  }
}

export function isTelegramId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

export function assertTelegramId(id: unknown): asserts id is number {
  if (!isTelegramId(id))
    throw new UsersError(UsersErrorCode.InvalidTelegramId, `not a Telegram user id: ${String(id)}`);
}

/** Telegram sends IETF tags like "en-US" or "pt-br"; the bot keys its texts by the primary subtag. */
export function normaliseLanguage(code: string | null | undefined): string {
  const primary = (code ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return /^[a-z]{2,3}$/.test(primary) ? primary : DEFAULT_LANGUAGE;
}
