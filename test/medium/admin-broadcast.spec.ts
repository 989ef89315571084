import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { BROADCAST_JOB } from '../../src/admin/broadcasts.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startCoreApp, type CoreApp } from '../support/factories';
import { FakeTelegram, type SentCall } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

const DAY_MS = 86_400_000;
const BOT_TOKEN = testEnv().BOT_TOKEN!;
const admin = { id: 910_001 };
let telegram: FakeTelegram;
let db: TestDatabase;
const apps: CoreApp[] = [];

beforeEach(async () => {
  telegram = await new FakeTelegram({ token: BOT_TOKEN }).start();
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await telegram.stop();
  await db.drop();
});

/** An app instance on the test's database; `sendRate` slows delivery so a test can act mid-way. */
async function startApp(sendRate = 25): Promise<CoreApp> {
  const app = await startCoreApp({
    imports: [TelegramModule],
    database: db,
    env: {
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '1',
      TELEGRAM_POLL_MARGIN_MS: '1000',
      TELEGRAM_SEND_RATE: String(sendRate),
      BROADCAST_INTERVAL_MS: '200',
      ADMIN_IDS: String(admin.id),
    },
  });
  apps.push(app);
  return app;
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const broadcastMessages = (text: string) =>
  telegram.sent.filter((c) => c.method === 'sendMessage' && c.params.text === text);
const receivedBy = (text: string) => {
  const counts = new Map<number, number>();
  for (const c of broadcastMessages(text))
    counts.set(Number(c.params.chat_id), (counts.get(Number(c.params.chat_id)) ?? 0) + 1);
  return counts;
};
const rowOf = async (app: CoreApp) =>
  (
    (await app.ds.query(
      `SELECT id, status, cursor, sent, failed FROM broadcasts ORDER BY id DESC LIMIT 1`,
    )) as {
      id: string;
      status: string;
      cursor: string;
      sent: number;
      failed: number;
    }[]
  )[0];

/** The admin sends the command; returns the progress message the bot answered with. */
async function startBroadcast(command: string): Promise<SentCall> {
  const before = telegram.sentTo(admin.id, 'sendMessage').length;
  telegram.userMessage(admin, command);
  return until(() => telegram.sentTo(admin.id, 'sendMessage')[before]);
}

describe('admin broadcast', () => {
  it('reaches every active subscriber exactly once, skips users who blocked the bot, and reports progress', async () => {
    const app = await startApp();
    const f = app.factory;
    const active = [];
    for (let i = 0; i < 6; i++) active.push((await f.subscription()).userId);
    const blocked = (await f.subscription({ balanceMinor: 0 })).userId;
    await app.ds.query(`UPDATE users SET blocked_at = now() WHERE id = $1`, [blocked]);
    const banned = (await f.subscription()).userId;
    await app.ds.query(`UPDATE users SET is_banned = true WHERE id = $1`, [banned]);
    const lapsed = (await f.subscription({ expiresAt: new Date(Date.now() - DAY_MS) })).userId;
    const noSubscription = (await f.user()).id;

    const progress = await startBroadcast('/broadcast active Service update:\nnew servers tonight');
    expect(String(progress.params.text)).toContain('running');
    const stop = (progress.params.reply_markup as { inline_keyboard: { callback_data: string }[][] })
      .inline_keyboard[0][0];
    expect(stop.callback_data).toMatch(/^adm:bc:stop:\d+$/);

    expect(await app.get(JobRunnerService).runNow(BROADCAST_JOB)).toBe('ok');
    const text = 'Service update:\nnew servers tonight';
    const got = receivedBy(text);
    expect([...got.keys()].sort()).toEqual([...active].sort());
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    for (const skipped of [blocked, banned, lapsed, noSubscription, admin.id])
      expect(got.has(skipped)).toBe(false);
    expect(await rowOf(app)).toMatchObject({ status: 'done', sent: 6, failed: 0 });

    const edits = telegram.sentTo(admin.id, 'editMessageText');
    const last = edits.at(-1)!;
    expect(String(last.params.text)).toContain('done');
    expect(String(last.params.text)).toContain('Sent: 6, failed: 0');
  });

  it('counts a user who blocked the bot meanwhile (403) as failed, marks them, and goes on', async () => {
    const app = await startApp();
    // Ids below the admin's (who is a recipient of `all` too): the first send meets the 403.
    const users = [
      (await app.factory.user({ id: 500_001 })).id,
      (await app.factory.user({ id: 500_002 })).id,
    ];
    await startBroadcast('/broadcast all Hello everyone');
    telegram.fault('sendMessage', {
      kind: 'status',
      code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    await app.get(JobRunnerService).runNow(BROADCAST_JOB);
    expect(await rowOf(app)).toMatchObject({ status: 'done', sent: 2, failed: 1 });
    const marked = (await app.ds.query(`SELECT id FROM users WHERE blocked_at IS NOT NULL`)) as {
      id: string;
    }[];
    expect(marked.map((r) => Number(r.id))).toEqual([users[0]]);
    expect([...receivedBy('Hello everyone').keys()]).toEqual([users[1], admin.id]);
  });

  it('resumes after the app is closed mid-way: a new instance finishes it and every user gets it exactly once', async () => {
    const first = await startApp(5);
    const users: number[] = [];
    for (let i = 0; i < 20; i++) users.push((await first.factory.user()).id);
    const text = 'Maintenance tonight at 02:00 UTC';
    await startBroadcast(`/broadcast all ${text}`);
    const run = first.get(JobRunnerService).runNow(BROADCAST_JOB);
    await until(() => broadcastMessages(text).length >= 6 || undefined);
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    expect(await run).toBe('aborted');
    const delivered = broadcastMessages(text).length;
    expect(delivered).toBeLessThan(users.length);

    const second = await startApp(25);
    const interrupted = await rowOf(second);
    expect(interrupted).toMatchObject({ status: 'running', sent: delivered });
    expect(await second.get(JobRunnerService).runNow(BROADCAST_JOB)).toBe('ok');

    const got = receivedBy(text);
    expect([...got.keys()].sort()).toEqual([...users, admin.id].filter((id) => got.has(id)).sort());
    for (const id of users) expect(got.get(id), `user ${id}`).toBe(1);
    expect(await rowOf(second)).toMatchObject({ status: 'done', sent: got.size, failed: 0 });
  });

  it('stops at the stop button: no message after it, the counts match what was delivered', async () => {
    const app = await startApp(5);
    for (let i = 0; i < 25; i++) await app.factory.user();
    const text = 'This one gets stopped';
    const progress = await startBroadcast(`/broadcast all ${text}`);
    const run = app.get(JobRunnerService).runNow(BROADCAST_JOB);
    await until(() => broadcastMessages(text).length >= 3 || undefined);
    // Progress is shown while it runs (every BROADCAST_INTERVAL_MS here), not only at the end.
    await until(() =>
      telegram
        .sentTo(admin.id, 'editMessageText')
        .find((c) => /running\nSent: [1-9]/.test(String(c.params.text))),
    );
    const { id } = await rowOf(app);
    telegram.pressButton(admin, `adm:bc:stop:${id}`, Number(progress.params.message_id ?? 1));
    expect(await run).toBe('ok');
    const row = await rowOf(app);
    expect(row.status).toBe('stopped');
    const delivered = broadcastMessages(text).length;
    expect(delivered).toBeLessThan(25);
    expect(row.sent).toBe(delivered);
    // A later run does not resume a stopped broadcast.
    await app.get(JobRunnerService).runNow(BROADCAST_JOB);
    expect(broadcastMessages(text)).toHaveLength(delivered);
    await until(() =>
      telegram.sent.find((c) => c.method === 'answerCallbackQuery' && c.params.text === 'Stopped'),
    );
    expect(String(telegram.sentTo(admin.id, 'editMessageText').at(-1)!.params.text)).toContain(
      `stopped\nSent: ${delivered}, failed: 0`,
    );
  });

  it('stops by command too, and a repeated stop says it already ended', async () => {
    const app = await startApp(5);
    for (let i = 0; i < 3; i++) await app.factory.user();
    await startBroadcast('/broadcast all Stop me');
    const { id } = await rowOf(app);
    const stopped = await startBroadcast(`/broadcast stop ${id}`);
    expect(String(stopped.params.text)).toContain('stopped');
    expect((await rowOf(app)).status).toBe('stopped');
    await app.get(JobRunnerService).runNow(BROADCAST_JOB);
    expect(broadcastMessages('Stop me')).toHaveLength(0);
    expect(String((await startBroadcast(`/broadcast stop ${id}`)).params.text)).toBe(
      `Broadcast #${id} is already stopped.`,
    );
    expect(String((await startBroadcast('/broadcast stop 999')).params.text)).toBe('No broadcast #999.');
  });
});
