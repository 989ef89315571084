import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Telegraf } from 'telegraf';
import { chatIdOf, kindOf } from '../src/telegram/transport/telegram-inbox.repository';
import { FakeTelegram } from '../src/demo/fake-telegram';
import { WebhookIntakeService } from '../src/telegram/transport/webhook-intake.service';
import type { Bench, BenchFigure } from './bench.types';
import { BENCH_ENV, benchPostgres, median, benchPool } from './bench-postgres';
import { transportApp } from './telegram-bench-app';

const SECRET = 'bench-webhook-secret-0123456789abcdef';
const REQUESTS = 2_000;
// 100 is Telegram's max_connections maximum.
const LEVELS = [16, 100];
const ROUNDS = 5;

interface Round {
  p50: number;
  p99: number;
  perSecond: number;
}

let nextUpdateId = 1;

/**
 * REQUESTS webhook deliveries, `concurrency` at a time, each a fresh update, sent by a separate process
 * (bench/webhook-load.ts): the servers under test keep this process's event loop to themselves.
 */
async function load(url: string, concurrency: number): Promise<Round> {
  const job = { url, secret: SECRET, concurrency, requests: REQUESTS, firstUpdateId: nextUpdateId };
  nextUpdateId += REQUESTS;
  const child = spawn(process.execPath, [join(__dirname, 'webhook-load.js'), JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`load generator exited ${code}: ${err.slice(-2_000)}`);
  return JSON.parse(out) as Round;
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
      TELEGRAM_WEBHOOK_DB_CONNECTIONS: process.env.BENCH_INTAKE_CONNECTIONS ?? '2',
    });
    const bare = await bareTelegraf(pg.url, fake.apiRoot);
    const intake = app.get(WebhookIntakeService);
    try {
      const figures: BenchFigure[] = [];
      const ourUrl = `${baseUrl}/telegram/webhook`;
      for (const concurrency of LEVELS) {
        const ours: Round[] = [];
        const base: Round[] = [];
        await load(ourUrl, concurrency); // warm-up (JIT, pools, connections)
        await load(bare.url, concurrency);
        // Alternating rounds: drift of the machine affects both sides alike.
        for (let r = 0; r < ROUNDS; r++) {
          ours.push(await load(ourUrl, concurrency));
          base.push(await load(bare.url, concurrency));
        }
        const cond = `median of ${ROUNDS} rounds × ${REQUESTS} deliveries, ${concurrency} concurrent, same database`;
        const baseline = 'telegraf webhookCallback + INSERT';
        for (const [k, label, unit] of [
          ['p50', 'acknowledgement latency p50', 'ms'],
          ['p99', 'acknowledgement latency p99', 'ms'],
          ['perSecond', 'acknowledged updates per second', 'updates/s'],
        ] as const)
          figures.push({
            name: `${label}, ${concurrency} concurrent`,
            value: round(median(ours.map((x) => x[k]))),
            unit,
            baseline: { name: baseline, value: round(median(base.map((x) => x[k]))) },
            note: `${cond}; spread ours ${spread(ours, k)}, baseline ${spread(base, k)}`,
          });
      }
      figures.push({
        name: 'intake batches (group commit)',
        value: intake.stats.batches,
        unit: 'INSERTs',
        baseline: { name: 'deliveries stored', value: intake.stats.updates },
        note: `largest batch ${intake.stats.largestBatch}; every acknowledged update is committed before its 200; the dispatcher processes them in the same process meanwhile`,
      });
      return figures;
    } finally {
      await bare.close();
      await app.close();
      await fake.stop();
      await pg.stop();
    }
  },
};

function round(n: number): number {
  return n >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

/** min–max over the rounds. */
function spread(rounds: Round[], k: keyof Round): string {
  const xs = rounds.map((x) => x[k]);
  return `${round(Math.min(...xs))}–${round(Math.max(...xs))}`;
}
