import { Telegraf } from 'telegraf';
import { TelegramSenderService } from '../src/bot-api/telegram-sender.service';
import { FakeTelegram } from '../src/demo/fake-telegram';
import type { Bench, BenchFigure } from './bench.types';
import { BENCH_ENV, benchPostgres } from './bench-postgres';
import { transportApp } from './telegram-bench-app';

/** Telegram's published limits, which the fake enforces with 429 + retry_after. */
const ALLOWED_PER_SECOND = 30;
const MESSAGES = 300;

interface Outcome {
  perSecond: number;
  delivered: number;
  tooManyRequests: number;
  /** 429s a message met after it had already met one (Telegram escalates those). */
  repeated429: number;
}

function outcome(fake: FakeTelegram, seconds: number): Outcome {
  const refused = fake.answered.filter((a) => a.method === 'sendMessage' && a.status === 429);
  const perChat = new Map<string, number>();
  for (const a of refused) perChat.set(a.chatId ?? '', (perChat.get(a.chatId ?? '') ?? 0) + 1);
  const delivered = new Set(fake.sent.filter((c) => c.method === 'sendMessage').map((c) => c.params.text))
    .size;
  return {
    perSecond: delivered / seconds,
    delivered,
    tooManyRequests: refused.length,
    repeated429: [...perChat.values()].reduce((n, v) => n + Math.max(0, v - 1), 0),
  };
}

const limitedFake = () =>
  new FakeTelegram({
    token: BENCH_ENV.BOT_TOKEN,
    limits: { perChatPerSecond: 1, globalPerSecond: ALLOWED_PER_SECOND },
  }).start();

/** A broadcast: MESSAGES messages to as many chats, all handed to our sender at once. */
async function ours(dbUrl: string, sendRate: number): Promise<Outcome> {
  const fake = await limitedFake();
  const { app } = await transportApp(dbUrl, {
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_MODE: 'webhook',
    WEBHOOK_URL: 'https://bench.example.com/telegram/webhook',
    WEBHOOK_SECRET: 'bench-webhook-secret-0123456789abcdef',
    TELEGRAM_SEND_RATE: String(sendRate),
  });
  try {
    const sender = app.get(TelegramSenderService);
    await new Promise((r) => setTimeout(r, 1_100)); // setWebhook at start leaves the fake's window
    const t0 = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: MESSAGES }, (_, i) =>
        sender.sendMessage(20_000 + i, `broadcast ${i}`, {}, { maxWaitMs: 120_000 }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed) console.error(`ours at ${sendRate}/s: ${failed} sends failed`);
    return outcome(fake, seconds);
  } finally {
    await app.close();
    await fake.stop();
  }
}

/**
 * The baseline a careful bot without a sender would write: telegraf's client, 10 sends in flight, and on a
 * 429 it waits exactly retry_after and retries (grammY's "only correct way"), up to 5 times per message.
 */
async function telegrafWithRetry(): Promise<Outcome> {
  const fake = await limitedFake();
  const bot = new Telegraf(BENCH_ENV.BOT_TOKEN, { telegram: { apiRoot: fake.apiRoot } });
  try {
    const queue = Array.from({ length: MESSAGES }, (_, i) => i);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          for (let attempt = 0; attempt < 6; attempt++) {
            try {
              await bot.telegram.sendMessage(20_000 + i, `broadcast ${i}`);
              break;
            } catch (err) {
              const wait = (err as { parameters?: { retry_after?: number } }).parameters?.retry_after;
              if (wait === undefined) throw err;
              await new Promise((r) => setTimeout(r, wait * 1000));
            }
          }
        }
      }),
    );
    return outcome(fake, (performance.now() - t0) / 1000);
  } finally {
    await fake.stop();
  }
}

function figure(name: string, o: Outcome, base: Outcome, note: string, configured?: number): BenchFigure {
  const ofConfigured = configured
    ? `${((o.perSecond / configured) * 100).toFixed(1)}% of its configured ${configured}/s; `
    : '';
  return {
    name,
    value: Math.round(o.perSecond * 10) / 10,
    unit: 'msg/s',
    baseline: { name: 'telegraf + retry_after loop', value: Math.round(base.perSecond * 10) / 10 },
    note:
      ofConfigured +
      `${((o.perSecond / ALLOWED_PER_SECOND) * 100).toFixed(1)}% of the allowed ${ALLOWED_PER_SECOND}/s; ` +
      `${o.delivered}/${MESSAGES} delivered, ${o.tooManyRequests} × 429, ${o.repeated429} repeated 429; ${note}`,
  };
}

export const bench: Bench = {
  title: 'Telegram sender throughput against a fake enforcing Telegram limits (30/s global, 1/s per chat)',
  async run() {
    const pg = await benchPostgres();
    try {
      const base = await telegrafWithRetry();
      const atDefault = await ours(pg.url, 25);
      const at29 = await ours(pg.url, 29);
      const at30 = await ours(pg.url, 30);
      return [
        figure(
          'our sender, TELEGRAM_SEND_RATE=25 (default)',
          atDefault,
          base,
          'target ≥ 95% of the rate the sender may use; the default stays below 30/s on purpose (a 429 pauses every send for 1 s)',
          25,
        ),
        figure(
          'our sender, TELEGRAM_SEND_RATE=29',
          at29,
          base,
          'at the edge: timer jitter can put 30 sends in one second',
          29,
        ),
        figure(
          'our sender, TELEGRAM_SEND_RATE=30',
          at30,
          base,
          `baseline: ${base.delivered}/${MESSAGES} delivered, ${base.tooManyRequests} × 429, ${base.repeated429} repeated`,
        ),
      ];
    } finally {
      await pg.stop();
    }
  },
};
