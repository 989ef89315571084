import { Injectable } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { freePort } from '../../src/database/embedded-postgres';
import { PollingTransport } from '../../src/telegram/transport/polling.transport';
import { TelegramSenderService } from '../../src/bot-api/telegram-sender.service';
import { TelegramTransportModule } from '../../src/telegram/transport/telegram-transport.module';
import { UpdateHandler } from '../../src/telegram/transport/update-handler';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest, until } from '../support/test-bed';

const TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SECRET = 'webhook-secret-0123456789abcdef0123456789';

/** Answers every text message through the real sender ("echo: <text>") and records what it handled. */
@Injectable()
class EchoHandler extends UpdateHandler {
  readonly handled: { updateId: number; chat: number; text: string }[] = [];

  constructor(private readonly sender: TelegramSenderService) {
    super();
  }

  async handle(update: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const msg = update.message as { chat: { id: number }; text: string } | undefined;
    if (!msg) return;
    this.handled.push({ updateId: update.update_id as number, chat: msg.chat.id, text: msg.text });
    await this.sender.sendMessage(msg.chat.id, `echo: ${msg.text}`, {}, { signal });
  }
}

let fake: FakeTelegram;
const bed = testBedPerTest({ telegram: { token: TOKEN }, started: (s) => (fake = s.telegram) });

async function start(env: Record<string, string> = {}, port?: number) {
  const started = await bed.start({
    // Long enough for a handler to sit out a storm inside the sender.
    env: { TELEGRAM_HANDLER_TIMEOUT_MS: '15000', ...env },
    imports: [TelegramTransportModule.withHandler(EchoHandler)],
    listen: port ?? true,
  });
  return {
    handler: started.get(EchoHandler),
    sender: started.get(TelegramSenderService),
    polling: started.get(PollingTransport),
    db: started.get(DbService),
  };
}

const texts = (chat: number) => fake.sentTo(chat, 'sendMessage').map((c) => String(c.params.text));
const floods = (method: string) => fake.answered.filter((a) => a.method === method && a.status === 429);

describe('429 storm', () => {
  it('holds every send until retry_after has passed, then delivers each message once with no further 429', async () => {
    const { sender } = await start({
      TELEGRAM_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.com/hook',
      WEBHOOK_SECRET: SECRET,
      // 100 ms between sends: a loaded machine answering the first 429 late must not put more sends on the wire.
      TELEGRAM_SEND_RATE: '10',
    });
    fake.floodStorm(['sendMessage'], 2_000);
    const stormEnds = fake.floodUntil!;
    const chats = Array.from({ length: 20 }, (_, i) => 5_000 + i);
    await Promise.all(chats.map((chat) => sender.sendMessage(chat, `notice ${chat}`)));

    for (const chat of chats) expect(texts(chat)).toEqual([`notice ${chat}`]);
    // The sender paused everyone on the first 429: the paced sends queued behind it did not walk into the
    // storm one after another (only a send already on the wire may meet a second 429).
    expect(floods('sendMessage').length).toBeGreaterThanOrEqual(1);
    expect(floods('sendMessage').length).toBeLessThanOrEqual(2);
    // Nothing reached Telegram again before retry_after had passed, and nothing after it was refused.
    const delivered = fake.sent.filter((c) => c.method === 'sendMessage').map((c) => c.at);
    expect(Math.min(...delivered)).toBeGreaterThanOrEqual(stormEnds);
    expect(fake.answered.filter((a) => a.status === 429 && a.at >= stormEnds)).toEqual([]);
  });

  it('keeps polling through a storm on every method and answers every update exactly once afterwards', async () => {
    const { handler, polling } = await start();
    const users = [2_001, 2_002, 2_003];
    for (const id of users) fake.userMessage({ id }, 'before');
    await until(() => users.every((id) => texts(id).length === 1));

    fake.floodStorm('*', 2_500);
    const stormEnds = fake.floodUntil!;
    for (const id of users) for (let i = 0; i < 3; i++) fake.userMessage({ id }, `during ${i}`);

    await until(() => users.every((id) => texts(id).length === 4));
    for (const id of users)
      expect(texts(id)).toEqual(['echo: before', 'echo: during 0', 'echo: during 1', 'echo: during 2']);
    expect(handler.handled).toHaveLength(12);
    // The storm really hit the poller, which waited it out instead of hammering or giving up.
    expect(floods('getUpdates').length).toBeGreaterThanOrEqual(1);
    expect(floods('getUpdates').length).toBeLessThanOrEqual(2);
    expect(fake.answered.filter((a) => a.status === 429 && a.at >= stormEnds)).toEqual([]);
    await until(() => polling.status().state === 'polling' && polling.status().consecutiveErrors === 0);
    await until(() => fake.pendingCount === 0);
  });
});

describe('duplicate webhook deliveries', () => {
  it('processes an update once however often and however concurrently Telegram delivers it', async () => {
    const port = await freePort();
    const { handler, db: q } = await start(
      {
        TELEGRAM_MODE: 'webhook',
        WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
        WEBHOOK_SECRET: SECRET,
      },
      port,
    );
    await until(() => fake.webhookConfig !== undefined);
    fake.duplicateWebhookDeliveries(4);
    const ids = [3_001, 3_002, 3_001, 3_003, 3_002].map((id, i) => fake.userMessage({ id }, `m${i}`));
    await until(() => fake.pendingCount === 0 && handler.handled.length === ids.length);

    // Later re-sends of updates that are already done (a slow answer Telegram did not see), also at once.
    const again = await Promise.all(ids.map((id) => fake.redeliver(id, 3)));
    expect(again.flat().every((status) => status === 200)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500)); // a duplicate would be claimed within the idle poll (1 s)

    expect(handler.handled.map((h) => h.updateId).sort()).toEqual([...ids].sort());
    expect(texts(3_001)).toEqual(['echo: m0', 'echo: m2']);
    expect(texts(3_002)).toEqual(['echo: m1', 'echo: m4']);
    expect(texts(3_003)).toEqual(['echo: m3']);
    const rows = await q.query<{ state: string; attempts: number }>(
      't',
      'SELECT state, attempts FROM telegram_updates ORDER BY update_id',
    );
    expect(rows).toEqual(ids.map(() => ({ state: 'done', attempts: 1 })));
  });
});
