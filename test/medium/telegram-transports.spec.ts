import { Injectable, type INestApplication } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { SignalsService } from '../../src/signals/signals.service';
import { PollingTransport } from '../../src/telegram/transport/polling.transport';
import { TelegramTransportModule } from '../../src/telegram/transport/telegram-transport.module';
import { UpdateDispatcherService } from '../../src/telegram/transport/update-dispatcher.service';
import { TransientUpdateError, UpdateHandler } from '../../src/telegram/transport/update-handler';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest, until } from '../support/test-bed';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SECRET = 'webhook-secret-0123456789abcdef0123456789';

/** Records what it handled; behaviour per text: "slow" waits, "fail-once" fails transiently once, "bug" throws. */
@Injectable()
class RecordingHandler extends UpdateHandler {
  readonly handled: { chat: number; text: string; at: number }[] = [];
  private failedOnce = new Set<string>();
  release?: () => void;

  async handle(update: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const msg = update.message as { chat: { id: number }; text: string } | undefined;
    if (!msg) return;
    if (msg.text === 'stuck') return new Promise(() => undefined); // ignores its signal entirely
    if (msg.text.startsWith('slow')) await new Promise((r) => setTimeout(r, 150));
    if (msg.text === 'fail-once' && !this.failedOnce.has(String(update.update_id))) {
      this.failedOnce.add(String(update.update_id));
      throw new TransientUpdateError('VPN core unavailable');
    }
    if (msg.text === 'bug') throw new TypeError('cannot read properties of undefined');
    if (signal.aborted) throw signal.reason;
    this.handled.push({ chat: msg.chat.id, text: msg.text, at: performance.now() });
  }
}

let fake: FakeTelegram;
let app: INestApplication | undefined;
const bed = testBedPerTest({ telegram: { token: TOKEN }, started: (s) => (fake = s.telegram) });

const transportsUnderTest = {
  imports: [TelegramTransportModule],
  providers: [RecordingHandler, { provide: UpdateHandler, useExisting: RecordingHandler }],
};

async function start(env: Record<string, string> = {}) {
  const started = await bed.start({
    ...transportsUnderTest,
    env: { TELEGRAM_HANDLER_TIMEOUT_MS: '1000', ...env },
    listen: true,
  });
  app = started.app;
  return {
    handler: started.get(RecordingHandler),
    polling: started.get(PollingTransport),
    dispatcher: started.get(UpdateDispatcherService),
    db: started.get(DbService),
    url: started.url!,
  };
}

const alice = { id: 1001 };
const bob = { id: 1002 };

describe('polling transport', () => {
  it('processes every update once, in order within a chat and concurrently across chats', async () => {
    const { handler, db: q } = await start();
    for (let i = 0; i < 4; i++) fake.userMessage(alice, `slow a${i}`);
    for (let i = 0; i < 4; i++) fake.userMessage(bob, `slow b${i}`);
    await until(() => handler.handled.length === 8);
    const texts = (chat: number) => handler.handled.filter((h) => h.chat === chat).map((h) => h.text);
    expect(texts(alice.id)).toEqual(['slow a0', 'slow a1', 'slow a2', 'slow a3']);
    expect(texts(bob.id)).toEqual(['slow b0', 'slow b1', 'slow b2', 'slow b3']);
    // Lanes overlap in time: the two chats were not processed one after the other.
    const firstBob = handler.handled.find((h) => h.chat === bob.id)!.at;
    const lastAlice = handler.handled.filter((h) => h.chat === alice.id).at(-1)!.at;
    expect(firstBob).toBeLessThan(lastAlice);
    // The handler records before the dispatcher marks the row done, so the last marks may still be in flight.
    const done = async () => {
      const [row] = await q.query<{ done: string }>(
        't',
        `SELECT count(*) AS done FROM telegram_updates WHERE state = 'done'`,
      );
      return Number(row.done);
    };
    await until(async () => (await done()) >= 8, 5_000, 'all 8 updates marked done');
    expect(await done()).toBe(8);
    await until(() => fake.pendingCount === 0);
  });

  it('confirms an update to Telegram only after it is stored in the inbox', async () => {
    const { polling, db: q } = await start();
    const id = fake.userMessage(alice, 'hello');
    await until(() => polling.status().offset === id + 1);
    const rows = await q.query('t', 'SELECT update_id FROM telegram_updates WHERE update_id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(fake.confirmedOffset).toBeLessThanOrEqual(id + 1);
  });

  it('abandons a blackholed getUpdates at its deadline and resumes without losing updates', async () => {
    fake.fault('getUpdates', { kind: 'hang' });
    const { handler, polling } = await start();
    fake.userMessage(alice, 'sent while the poll hangs');
    await until(() => handler.handled.length === 1, 8_000);
    expect(handler.handled[0].text).toBe('sent while the poll hangs');
    // The hang was cut by the HTTP deadline (timeout 1 s + margin 1 s), not by luck.
    expect(app!.get(SignalsService).get('telegram.poll.error')?.detail).toEqual({
      message: 'getUpdates: no answer within 2000 ms',
    });
    expect(polling.status()).toMatchObject({ state: 'polling', consecutiveErrors: 0, deadlineMs: 2_000 });
  });

  it('backs off on 409 conflicts, reports them, and keeps running', async () => {
    fake.fault('getUpdates', { kind: 'status', code: 409 }, 1);
    const { polling, handler } = await start();
    await until(() => (polling.status().lastError ?? '').includes('409'));
    expect(polling.status().state).toBe('backoff');
    fake.userMessage(alice, 'after conflict');
    await until(() => handler.handled.length === 1, 20_000);
  }, 30_000);

  it('waits retry_after on 429 before polling again', async () => {
    fake.fault('getUpdates', { kind: 'status', code: 429, retryAfter: 1 });
    const { handler } = await start();
    fake.userMessage(alice, 'after flood');
    await until(() => handler.handled.length === 1, 8_000);
    const polls = fake.requests.filter((r) => r.method === 'getUpdates');
    expect(polls[1].at - polls[0].at).toBeGreaterThanOrEqual(950);
  });

  it('stops polling but stays up when the token is rejected (401)', async () => {
    fake.fault('getUpdates', { kind: 'status', code: 401 });
    const { polling } = await start();
    await until(() => polling.status().state === 'unauthorized');
    const before = fake.requests.filter((r) => r.method === 'getUpdates').length;
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests.filter((r) => r.method === 'getUpdates').length).toBe(before);
  });

  it('lets only one instance poll at a time', async () => {
    await start();
    const second = await bed.start(transportsUnderTest);
    try {
      await until(() => second.app.get(PollingTransport).status().state === 'standby');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(fake.requests.filter((r) => r.method === 'getUpdates').length).toBeGreaterThan(0);
      expect(second.app.get(PollingTransport).status().state).toBe('standby');
    } finally {
      await second.app.close();
    }
  });
});

describe('dispatcher', () => {
  it('retries a transient failure and keeps a bug as failed with its error, without blocking other chats', async () => {
    const { handler, db: q } = await start();
    fake.userMessage(alice, 'fail-once');
    fake.userMessage(bob, 'bug');
    fake.userMessage(bob, 'after bug');
    await until(
      () =>
        handler.handled.some((h) => h.text === 'fail-once') &&
        handler.handled.some((h) => h.text === 'after bug'),
    );
    const failed = await q.query<{ last_error: string; attempts: number }>(
      't',
      `SELECT last_error, attempts FROM telegram_updates WHERE state = 'failed'`,
    );
    expect(failed).toEqual([{ last_error: 'TypeError: cannot read properties of undefined', attempts: 1 }]);
    const [retried] = await q.query<{ attempts: number }>(
      't',
      `SELECT attempts FROM telegram_updates WHERE payload->'message'->>'text' = 'fail-once'`,
    );
    expect(retried.attempts).toBe(2);
  });

  it('abandons a handler that ignores its deadline so other chats keep flowing', async () => {
    const { handler, dispatcher } = await start({ TELEGRAM_UPDATE_MAX_ATTEMPTS: '1' });
    fake.userMessage(alice, 'stuck');
    fake.userMessage(bob, 'slow b');
    await until(() => handler.handled.some((h) => h.text === 'slow b'));
    await until(() => dispatcher.status().inFlight === 0, 5_000);
    expect(dispatcher.status().failed).toBe(1);
  });
});

describe('webhook endpoint', () => {
  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const webhookEnv = {
    TELEGRAM_MODE: 'webhook',
    WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
    WEBHOOK_SECRET: SECRET,
  };
  const update = (id: number, text: string) =>
    JSON.stringify({
      update_id: id,
      message: { message_id: 1, chat: { id: 7, type: 'private' }, date: 0, text },
    });

  it('refuses a wrong or missing secret with 403 and stores nothing', async () => {
    const { url, db: q } = await start(webhookEnv);
    expect((await post(url, update(1, 'x'))).status).toBe(403);
    expect(
      (await post(url, update(1, 'x'), { 'x-telegram-bot-api-secret-token': 'wrong-secret-000000' })).status,
    ).toBe(403);
    expect(await q.query('t', 'SELECT 1 FROM telegram_updates')).toHaveLength(0);
  });

  it('refuses oversized (413) and malformed (400) bodies with a clear error', async () => {
    const { url } = await start({ ...webhookEnv, TELEGRAM_WEBHOOK_MAX_BODY_BYTES: '2048' });
    const h = { 'x-telegram-bot-api-secret-token': SECRET };
    const big = await post(url, update(2, 'x'.repeat(4096)), h);
    expect(big.status).toBe(413);
    const bad = await post(url, '{"update_id": 3, "message": ', h);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'body is not valid JSON' });
    expect((await post(url, '{"hello":"world"}', h)).status).toBe(400);
  });

  it('stores an update, answers 200 at once, processes it, and treats a redelivery as a no-op', async () => {
    const { url, handler } = await start(webhookEnv);
    const h = { 'x-telegram-bot-api-secret-token': SECRET };
    const first = await post(url, update(10, 'hi'), h);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, duplicate: false });
    const again = await post(url, update(10, 'hi'), h);
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    await until(() => handler.handled.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(handler.handled).toHaveLength(1);
  });

  it('checks the secret before reading the body whatever the path spelling or content type', async () => {
    const { url, db: q } = await start(webhookEnv);
    const base = url;
    const raw = (path: string, body: string, type: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, ...headers },
        body,
        signal: AbortSignal.timeout(3_000),
      });
    for (const path of ['/Telegram/Webhook', '/telegram/webhook/', '/TELEGRAM/WEBHOOK/']) {
      // Larger than the webhook limit: a parser that ran first would read it all; the guard refuses at once.
      expect((await raw(path, update(20, 'x'.repeat(300_000)), 'application/json')).status).toBe(403);
      expect((await raw(path, 'update_id=21', 'application/x-www-form-urlencoded')).status).toBe(403);
      const ok = await raw(path, update(22, 'hi'), 'application/json', {
        'x-telegram-bot-api-secret-token': SECRET,
      });
      expect(ok.status).toBe(200);
    }
    const form = await raw('/telegram/webhook', 'update_id=23', 'application/x-www-form-urlencoded', {
      'x-telegram-bot-api-secret-token': SECRET,
    });
    expect(form.status).toBe(400);
    expect(await q.query('t', 'SELECT update_id FROM telegram_updates')).toHaveLength(1);
  });

  it('registers the webhook with its secret at start and never deletes it on shutdown', async () => {
    await start(webhookEnv);
    await until(() => fake.requests.some((r) => r.method === 'getWebhookInfo'));
    expect(fake.webhookConfig).toEqual({ url: webhookEnv.WEBHOOK_URL, secret: SECRET });
    await app!.close();
    app = undefined;
    expect(fake.requests.map((r) => r.method)).not.toContain('deleteWebhook');
  });
});
