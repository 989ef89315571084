import { createServer, type Server } from 'node:http';
import { Telegraf } from 'telegraf';
import { chatIdOf, kindOf } from '../src/telegram/transport/telegram-inbox.repository';
import { FakeTelegram } from '../src/demo/fake-telegram';
import type { Bench } from './bench.types';
import { BENCH_ENV, benchPostgres, median, benchPool } from './bench-postgres';
import { percentile, transportApp } from './telegram-bench-app';

const SECRET = 'bench-webhook-secret-0123456789';
const REQUESTS = 2_000;
const CONCURRENCY = 16;
const ROUNDS = 3;

interface Round {
  p50: number;
  p99: number;
  perSecond: number;
}

let nextUpdateId = 1;

function update(): string {
  const id = nextUpdateId++;
  const chat = 10_000 + (id % 500);
  return JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      from: { id: chat, is_bot: false, first_name: 'Bench', language_code: 'en' },
      chat: { id: chat, type: 'private', first_name: 'Bench' },
      date: Math.floor(Date.now() / 1000),
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  });
}

/** REQUESTS webhook deliveries, CONCURRENCY at a time, each a fresh update; latency per acknowledgement. */
async function load(url: string): Promise<Round> {
  const latencies: number[] = [];
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < REQUESTS) {
        sent++;
        const body = update();
        const s = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body,
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: REQUESTS / seconds };
}

/**
 * The baseline: telegraf's own webhookCallback (secret check, body parse, handler, then the answer) on a bare
 * node http server, its handler doing the same work as our endpoint: one INSERT of the update.
 */
async function bareTelegraf(
  dbUrl: string,
  apiRoot: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const pool = benchPool({ connectionString: dbUrl, max: 10 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_updates (LIKE telegram_updates INCLUDING ALL)');
  const bot = new Telegraf(BENCH_ENV.BOT_TOKEN, { telegram: { apiRoot, webhookReply: false } });
  bot.botInfo = {
    id: 123456,
    is_bot: true,
    first_name: 'Bench',
    username: 'bench_bot',
  } as typeof bot.botInfo;
  bot.use(async (ctx) => {
    const u = ctx.update as unknown as { update_id: number } & Record<string, unknown>;
    await pool.query(
      `INSERT INTO bench_updates (update_id, chat_id, kind, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (update_id) DO NOTHING`,
      [u.update_id, chatIdOf(u), kindOf(u), JSON.stringify(u)],
    );
  });
  const server: Server = createServer(bot.webhookCallback('/telegram/webhook', { secretToken: SECRET }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/telegram/webhook`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await pool.end();
    },
  };
}

export const bench: Bench = {
  title: 'Telegram webhook acknowledgement: our endpoint (inbox write) vs bare telegraf webhookCallback',
  async run() {
    const pg = await benchPostgres();
    const fake = await new FakeTelegram({ token: BENCH_ENV.BOT_TOKEN }).start();
    const { app, baseUrl } = await transportApp(pg.url, {
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_MODE: 'webhook',
      // Registered with the fake, which never calls a non-local URL: the bench is the only sender.
      WEBHOOK_URL: 'https://bench.example.com/telegram/webhook',
      WEBHOOK_SECRET: SECRET,
    });
    const bare = await bareTelegraf(pg.url, fake.apiRoot);
    try {
      const ours: Round[] = [];
      const base: Round[] = [];
      await load(`${baseUrl}/telegram/webhook`); // warm-up (JIT, pools, connections)
      await load(bare.url);
      for (let r = 0; r < ROUNDS; r++) {
        ours.push(await load(`${baseUrl}/telegram/webhook`));
        base.push(await load(bare.url));
      }
      const m = (rs: Round[], k: keyof Round) => median(rs.map((x) => x[k]));
      const cond = `median of ${ROUNDS} rounds × ${REQUESTS} deliveries, ${CONCURRENCY} concurrent, same database`;
      return [
        {
          name: 'acknowledgement latency p50',
          value: m(ours, 'p50'),
          unit: 'ms',
          baseline: { name: 'telegraf webhookCallback + INSERT', value: m(base, 'p50') },
          note: cond,
        },
        {
          name: 'acknowledgement latency p99',
          value: m(ours, 'p99'),
          unit: 'ms',
          baseline: { name: 'telegraf webhookCallback + INSERT', value: m(base, 'p99') },
          note: 'ours also runs the dispatcher (claim + complete per update) in the same process meanwhile',
        },
        {
          name: 'acknowledged updates per second',
          value: Math.round(m(ours, 'perSecond')),
          unit: 'updates/s',
          baseline: { name: 'telegraf webhookCallback + INSERT', value: Math.round(m(base, 'perSecond')) },
          note: 'every acknowledged update is durably stored before the 200',
        },
      ];
    } finally {
      await bare.close();
      await app.close();
      await fake.stop();
      await pg.stop();
    }
  },
};
