import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { RecipientUnavailableError, TelegramSenderService } from '../../src/bot-api/telegram-sender.service';
import { TelegramTransportModule } from '../../src/telegram/transport/telegram-transport.module';
import { UpdateHandler } from '../../src/telegram/transport/update-handler';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { createTestApp } from '../support/test-app';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';

class NoopHandler extends UpdateHandler {
  async handle(): Promise<void> {}
}

let db: TestDatabase;
let fake: FakeTelegram;
let app: INestApplication;

beforeEach(async () => {
  db = await createTestDatabase();
  fake = await new FakeTelegram({
    token: TOKEN,
    limits: { perChatPerSecond: 1, globalPerSecond: 30 },
  }).start();
  ({ app } = await createTestApp({
    databaseUrl: db.url,
    // Webhook mode with a URL that is never called: no poller, so only the sender talks to the fake.
    env: {
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      WEBHOOK_SECRET: 'sender-test-secret-0123456789abcdef0123',
    },
    imports: [TelegramTransportModule],
    providers: [{ provide: UpdateHandler, useClass: NoopHandler }],
  }));
});
afterEach(async () => {
  await app.close();
  await fake.stop();
  await db.drop();
});

describe('TelegramSenderService', () => {
  it('paces messages to one chat so Telegram never answers 429', async () => {
    const sender = app.get(TelegramSenderService);
    await Promise.all([1, 2, 3].map((i) => sender.sendMessage(42, `m${i}`)));
    const times = fake.sentTo(42, 'sendMessage').map((c) => c.at);
    expect(times).toHaveLength(3);
    expect(times[2] - times[0]).toBeGreaterThanOrEqual(1_900);
    expect(sender.stats.rateLimited).toBe(0);
  });

  it('sends to another chat at once while one chat waits for its pace', async () => {
    const sender = app.get(TelegramSenderService);
    await sender.sendMessage(42, 'first');
    const waiting = sender.sendMessage(42, 'second'); // its chat's turn is about 1.1 s away
    const t0 = Date.now();
    await sender.sendMessage(43, 'other chat');
    const otherAt = fake.sentTo(43, 'sendMessage')[0].at;
    await waiting;
    const [first, second] = fake.sentTo(42, 'sendMessage').map((c) => c.at);
    expect(second - first).toBeGreaterThanOrEqual(1_000);
    // The other chat went before the waiting message, not after it.
    expect(otherAt).toBeLessThan(second);
    expect(otherAt - t0).toBeLessThan(second - t0);
    expect(sender.stats.rateLimited).toBe(0);
  });

  it('waits exactly retry_after on a 429 storm and delivers the message once', async () => {
    const sender = app.get(TelegramSenderService);
    fake.fault('sendMessage', { kind: 'status', code: 429, retryAfter: 1 }, 2);
    const t0 = Date.now();
    await sender.sendMessage(7, 'after the storm');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_000);
    expect(fake.sentTo(7, 'sendMessage').map((c) => c.params.text)).toEqual(['after the storm']);
    expect(sender.stats.rateLimited).toBe(2);
  });

  it('marks the user blocked when Telegram answers 403', async () => {
    const q = app.get(DbService);
    await q.query('t', 'INSERT INTO users (id) VALUES (9)');
    fake.fault('sendMessage', { kind: 'status', code: 403 });
    await expect(app.get(TelegramSenderService).sendMessage(9, 'hi')).rejects.toBeInstanceOf(
      RecipientUnavailableError,
    );
    const [u] = await q.query<{ blocked_at: Date | null }>('t', 'SELECT blocked_at FROM users WHERE id = 9');
    expect(u.blocked_at).not.toBeNull();
  });
});

describe('notifications delivery', () => {
  async function seed(q: DbService) {
    await q.query('t', `INSERT INTO users (id, language_code) VALUES (1, 'en'), (2, 'ru'), (3, 'en')`);
    await q.query(
      't',
      `INSERT INTO notifications (user_id, kind, dedupe_key, payload) VALUES
         (1, 'key_ready', 'k1', '{}'), (2, 'subscription_expired', 'k2', '{}'), (3, 'key_ready', 'k3', '{}')`,
    );
  }

  it('sends each pending notification once, in the user language, over repeated runs', async () => {
    const q = app.get(DbService);
    await seed(q);
    const runner = app.get(JobRunnerService);
    expect(await runner.runNow('notifications-delivery')).toBe('ok');
    expect(await runner.runNow('notifications-delivery')).toBe('ok');
    expect(fake.sentTo(1, 'sendMessage')).toHaveLength(1);
    expect(String(fake.sentTo(2, 'sendMessage')[0].params.text)).toMatch(/Подписка закончилась/);
    expect(fake.sentTo(3, 'sendMessage')).toHaveLength(1);
    const states = await q.query<{ state: string }>('t', 'SELECT DISTINCT state FROM notifications');
    expect(states).toEqual([{ state: 'sent' }]);
  });

  it('cancels a notice for a user who blocked the bot and retries one that failed for a transient reason', async () => {
    const q = app.get(DbService);
    await seed(q);
    fake.fault('sendMessage', { kind: 'status', code: 403 });
    fake.fault('sendMessage', { kind: 'status', code: 500 });
    await app.get(JobRunnerService).runNow('notifications-delivery');
    const rows = await q.query<{ state: string; n: string }>(
      't',
      'SELECT state, count(*) AS n FROM notifications GROUP BY state ORDER BY state',
    );
    expect(rows).toEqual([
      { state: 'cancelled', n: '1' },
      { state: 'pending', n: '1' },
      { state: 'sent', n: '1' },
    ]);
  });
});
