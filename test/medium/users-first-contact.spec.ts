import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersErrorCode } from '../../src/users/users.errors';
import { UsersModule } from '../../src/users/users.module';
import { UsersService } from '../../src/users/users.service';
import { startCoreApp, type CoreApp } from '../support/factories';

let core: CoreApp;
let users: UsersService;

beforeAll(async () => {
  core = await startCoreApp({ imports: [UsersModule] });
  users = core.get(UsersService);
});
afterAll(async () => {
  await core?.close();
});

const count = async (sql: string, params: unknown[] = []) => Number((await core.ds.query(sql, params))[0].n);

describe('users on first contact', () => {
  it('creates the user once with profile and language, and refreshes the profile later', async () => {
    const first = await users.upsertFromTelegram({
      telegramId: 501,
      username: 'alice',
      firstName: 'Alice',
      languageCode: 'ru-RU',
    });
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({ id: 501, username: 'alice', languageCode: 'ru', balanceMinor: 0 });

    const again = await users.upsertFromTelegram({ telegramId: 501, username: 'alice2', languageCode: 'en' });
    expect(again.created).toBe(false);
    expect(again.user.username).toBe('alice2');
    // The language the user has is kept: they may have picked it in the bot.
    expect(again.user.languageCode).toBe('ru');
  });

  it('records the referrer at first contact only, and never changes it later', async () => {
    const referrer = await core.factory.user();
    const other = await core.factory.user();
    const { user } = await users.upsertFromTelegram({ telegramId: 502, referrerId: referrer.id });
    expect(user.referrerId).toBe(referrer.id);

    const later = await users.upsertFromTelegram({ telegramId: 502, referrerId: other.id });
    expect(later.user.referrerId).toBe(referrer.id);

    const existing = await core.factory.user();
    const { user: notReferred } = await users.upsertFromTelegram({
      telegramId: existing.id,
      referrerId: referrer.id,
    });
    expect(notReferred.referrerId).toBeNull();
  });

  it('ignores a self-referral and a referrer who does not exist', async () => {
    const self = await users.upsertFromTelegram({ telegramId: 503, referrerId: 503 });
    expect(self.user.referrerId).toBeNull();
    const ghost = await users.upsertFromTelegram({ telegramId: 504, referrerId: 999_999_999 });
    expect(ghost.user.referrerId).toBeNull();
  });

  it('sets the blocked flag when Telegram reports a block and clears it on the next message', async () => {
    const u = await core.factory.user();
    await users.markBlocked(u.id);
    const blockedAt = (await users.get(u.id)).blockedAt;
    expect(blockedAt).toBeInstanceOf(Date);
    await users.markBlocked(u.id);
    expect((await users.get(u.id)).blockedAt).toEqual(blockedAt);

    await users.touch(u.id);
    expect((await users.get(u.id)).blockedAt).toBeNull();

    await users.markBlocked(u.id);
    await users.upsertFromTelegram({ telegramId: u.id });
    expect((await users.get(u.id)).blockedAt).toBeNull();
  });

  it('refuses an invalid Telegram id and an unknown user with typed errors, writing nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM users');
    for (const bad of [0, -5, 1.5, Number.NaN]) {
      await expect(users.upsertFromTelegram({ telegramId: bad })).rejects.toMatchObject({
        code: UsersErrorCode.InvalidTelegramId,
      });
    }
    await expect(users.touch(777_777_777)).rejects.toMatchObject({ code: UsersErrorCode.UserNotFound });
    await expect(users.get(777_777_777)).rejects.toMatchObject({ code: UsersErrorCode.UserNotFound });
    await expect(users.markBlocked(777_777_777)).rejects.toMatchObject({ code: UsersErrorCode.UserNotFound });
    expect(await count('SELECT count(*) AS n FROM users')).toBe(before);
  });
});
