import type { INestApplication } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { TelegramModule } from '../../src/telegram/telegram.module';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest, until } from '../support/test-bed';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SECRET = 'webhook-secret-0123456789abcdef0123456789';

let fake: FakeTelegram;
let app: INestApplication | undefined;
const bed = testBedPerTest({ telegram: { token: TOKEN }, started: (s) => (fake = s.telegram) });

/** The whole bot (real handlers, inbox, dispatcher, sender) against the fake Bot API. */
async function startBot(env: Record<string, string> = {}) {
  const started = await bed.start({ env, imports: [TelegramModule], listen: true });
  app = started.app;
  return { q: started.get(DbService), url: started.url! };
}

const webhookEnv = {
  TELEGRAM_MODE: 'webhook',
  WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
  WEBHOOK_SECRET: SECRET,
};

/** A raw POST that can stream a body in chunks without a Content-Length (Transfer-Encoding: chunked). */
function postChunked(
  url: string,
  chunks: string[],
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/telegram/webhook`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET, ...headers },
    body,
  });

const storedUpdates = async (q: DbService) =>
  Number((await q.query<{ n: string }>('t', 'SELECT count(*) AS n FROM telegram_updates'))[0].n);

describe('webhook bad input', () => {
  it('checks the secret before reading the body: a huge body with a wrong secret is a 403, not a 413', async () => {
    const { url, q } = await startBot({ ...webhookEnv, TELEGRAM_WEBHOOK_MAX_BODY_BYTES: '2048' });
    const huge = JSON.stringify({ update_id: 1, pad: 'x'.repeat(100_000) });
    const res = await post(url, huge, { 'x-telegram-bot-api-secret-token': 'not-the-secret' });
    expect(res.status).toBe(403);
    expect(await storedUpdates(q)).toBe(0);
  });

  it('refuses an oversized body streamed without Content-Length (413) and stores nothing', async () => {
    const { url, q } = await startBot({ ...webhookEnv, TELEGRAM_WEBHOOK_MAX_BODY_BYTES: '2048' });
    const chunks = ['{"update_id": 5, "pad": "', ...Array.from({ length: 8 }, () => 'y'.repeat(1_000)), '"}'];
    const res = await postChunked(url, chunks, { 'x-telegram-bot-api-secret-token': SECRET });
    expect(res.status).toBe(413);
    expect(await storedUpdates(q)).toBe(0);
    // The endpoint still works afterwards.
    expect((await post(url, JSON.stringify({ update_id: 6 }))).status).toBe(200);
  });

  it('refuses bodies that are not a Telegram update with 400 and stores none of them', async () => {
    const { url, q } = await startBot(webhookEnv);
    const bad = [
      '',
      'null',
      '[]',
      '"update"',
      '{"message": {"text": "no id"}}',
      '{"update_id": "12"}',
      '{"update_id": 1.5}',
      '{"update_id": 1e300}',
      '{"update_id": 7, ',
    ];
    for (const body of bad) {
      const res = await post(url, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(((await res.json()) as { ok: boolean }).ok).toBe(false);
    }
    expect(await storedUpdates(q)).toBe(0);
  });
});

describe('users the bot does not know or who blocked it', () => {
  it('creates a user on first contact and greets them', async () => {
    const { q } = await startBot();
    fake.userMessage({ id: 4_001, username: 'newbie', firstName: 'New', languageCode: 'en' }, '/start');
    await until(() => fake.sentTo(4_001, 'sendMessage').length > 0);
    const rows = await q.query<{ username: string; first_name: string; blocked_at: Date | null }>(
      't',
      'SELECT username, first_name, blocked_at FROM users WHERE id = 4001',
    );
    expect(rows).toEqual([{ username: 'newbie', first_name: 'New', blocked_at: null }]);
  });

  it('clears the blocked flag when a user who had blocked the bot writes to it again', async () => {
    const { q } = await startBot();
    await q.query('t', `INSERT INTO users (id, blocked_at) VALUES (4002, now() - interval '3 days')`);
    fake.userMessage({ id: 4_002 }, '/start');
    await until(() => fake.sentTo(4_002, 'sendMessage').length > 0);
    const [u] = await q.query<{ blocked_at: Date | null }>(
      't',
      'SELECT blocked_at FROM users WHERE id = 4002',
    );
    expect(u.blocked_at).toBeNull();
  });

  it('marks the user blocked when the reply to their update meets 403, and does not retry that update', async () => {
    const { q } = await startBot();
    fake.fault('sendMessage', { kind: 'status', code: 403, description: 'Forbidden: user is deactivated' });
    const updateId = fake.userMessage({ id: 4_003 }, '/start');
    await until(async () => {
      const [r] = await q.query<{ state: string }>(
        't',
        'SELECT state FROM telegram_updates WHERE update_id = $1',
        [updateId],
      );
      return r?.state === 'done' || r?.state === 'failed';
    });
    await new Promise((r) => setTimeout(r, 1_500)); // a retry would come within the first backoff (1 s)
    const [u] = await q.query<{ blocked_at: Date | null }>(
      't',
      'SELECT blocked_at FROM users WHERE id = 4003',
    );
    expect(u.blocked_at).toBeInstanceOf(Date);
    const attempts = fake.requests.filter((r) => r.method === 'sendMessage').length;
    expect(attempts).toBe(1);
    const [row] = await q.query<{ attempts: number }>(
      't',
      'SELECT attempts FROM telegram_updates WHERE update_id = $1',
      [updateId],
    );
    expect(row.attempts).toBe(1);
  });

  it('cancels a notification to a user who blocked the bot, marks them blocked, and never sends it again', async () => {
    const { q } = await startBot(webhookEnv);
    await q.query('t', `INSERT INTO users (id, language_code) VALUES (4004, 'en'), (4005, 'en')`);
    await q.query(
      't',
      `INSERT INTO notifications (user_id, kind, dedupe_key, payload) VALUES
         (4004, 'key_ready', 'b1', '{}'), (4005, 'key_ready', 'b2', '{}')`,
    );
    fake.fault('sendMessage', { kind: 'status', code: 403 });
    const runner = app!.get(JobRunnerService);
    for (let i = 0; i < 3; i++) expect(await runner.runNow('notifications-delivery')).toBe('ok');

    const tried = fake.answered.filter((a) => a.method === 'sendMessage');
    expect(tried.map((a) => a.status).sort()).toEqual([200, 403]);
    const blockedChat = tried.find((a) => a.status === 403)!.chatId;
    const rows = await q.query<{ user_id: string; state: string; blocked: boolean }>(
      't',
      `SELECT n.user_id, n.state, u.blocked_at IS NOT NULL AS blocked
       FROM notifications n JOIN users u ON u.id = n.user_id ORDER BY n.user_id`,
    );
    const byUser = Object.fromEntries(rows.map((r) => [r.user_id, r]));
    expect(byUser[blockedChat!]).toMatchObject({ state: 'cancelled', blocked: true });
    const other = rows.find((r) => r.user_id !== blockedChat)!;
    expect(other).toMatchObject({ state: 'sent', blocked: false });
  });
});
