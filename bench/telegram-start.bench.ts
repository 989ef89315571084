import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Pool } from 'pg';
import { Telegraf } from 'telegraf';
import { freePort } from '../src/database/embedded-postgres';
import { FakeTelegram, type FakeUser } from '../src/demo/fake-telegram';
import type { Bench } from './bench.types';
import { BENCH_ENV, benchPostgres, benchPool } from './bench-postgres';
import { until } from './telegram-bench-app';

const MAIN = resolve(__dirname, '../src/main.js');
const USERS = 300;
const ALLOWED_PER_SECOND = 30;

interface Outcome {
  perSecond: number;
  /** Users who got at least one reply. */
  answered: number;
  messagesPerStart: number;
  tooManyRequests: number;
  usersStored: number;
}

const limitedFake = () =>
  new FakeTelegram({
    token: BENCH_ENV.BOT_TOKEN,
    limits: { perChatPerSecond: 1, globalPerSecond: ALLOWED_PER_SECOND },
  }).start();

function users(from: number): FakeUser[] {
  return Array.from({ length: USERS }, (_, i) => ({ id: from + i, firstName: `U${i}`, languageCode: 'en' }));
}

async function countUsers(pool: Pool, from: number): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM users WHERE id >= $1 AND id < $2',
    [from, from + USERS],
  );
  return Number(rows[0].n);
}

/**
 * USERS people send /start at once; the clock stops when every update is finished (`finished`) and every
 * user has a users row. What reached the users is counted afterwards.
 */
async function burst(
  fake: FakeTelegram,
  pool: Pool,
  from: number,
  finished: (people: FakeUser[]) => boolean,
): Promise<Outcome> {
  const people = users(from);
  const t0 = performance.now();
  for (const u of people) fake.userMessage(u, '/start');
  await until(
    async () => finished(people) && (await countUsers(pool, from)) === USERS,
    120_000,
    'every /start finished',
  );
  const seconds = (performance.now() - t0) / 1000;
  const answered = people.filter((u) => fake.sentTo(u.id, 'sendMessage').length > 0).length;
  const replies = people.reduce((n, u) => n + fake.sentTo(u.id, 'sendMessage').length, 0);
  return {
    perSecond: USERS / seconds,
    answered,
    messagesPerStart: replies / USERS,
    tooManyRequests: fake.answered.filter((a) => a.status === 429).length,
    usersStored: await countUsers(pool, from),
  };
}

/** The built application (`node dist/src/main.js`) in polling mode, as deployed. */
async function ours(dbUrl: string, pool: Pool): Promise<Outcome> {
  const fake = await limitedFake();
  const port = await freePort();
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      ...BENCH_ENV,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_MODE: 'polling',
      // Production requires credentials on /metrics.
      METRICS_BASIC_AUTH: `prometheus:${'5e'.repeat(16)}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  let gone = false;
  const exited = new Promise((r) => proc.once('exit', r)).then(() => (gone = true));
  try {
    await until(
      () => {
        // A start that fails (bad configuration) says why instead of waiting out the deadline.
        if (gone) throw new Error(`the app exited before it was ready:\n${stderr}`);
        return fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1_000) })
          .then((r) => r.status === 200)
          .catch(() => false);
      },
      60_000,
      'app ready',
    );
    return await burst(fake, pool, 100_000, (people) =>
      people.every((u) => fake.sentTo(u.id, 'sendMessage').length > 0),
    );
  } finally {
    proc.kill('SIGTERM');
    await exited;
    await fake.stop();
  }
}

/**
 * The baseline: telegraf's own polling (bot.launch) with a /start handler doing the same work (an upsert of
 * the user, then one reply) and no sender: replies that meet a 429 are lost (telegraf makes each call once).
 */
async function bareTelegraf(pool: Pool): Promise<Outcome> {
  const fake = await limitedFake();
  const bot = new Telegraf(BENCH_ENV.BOT_TOKEN, { telegram: { apiRoot: fake.apiRoot } });
  let handled = 0;
  bot.start(async (ctx) => {
    try {
      await pool.query(
        `INSERT INTO users (id, username, first_name, language_code) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
           blocked_at = NULL, updated_at = now()`,
        [ctx.from.id, ctx.from.username ?? null, ctx.from.first_name, ctx.from.language_code ?? 'en'],
      );
      await ctx.reply('Welcome! 👋');
    } finally {
      handled++;
    }
  });
  bot.catch(() => undefined); // a 429 on the reply: the message is lost, polling goes on
  void bot.launch().catch(() => undefined);
  try {
    await until(() => fake.requests.some((r) => r.method === 'getUpdates'), 10_000, 'telegraf polling');
    return await burst(fake, pool, 200_000, () => handled === USERS);
  } finally {
    bot.stop();
    await fake.stop();
  }
}

export const bench: Bench = {
  title: 'Telegram /start end to end (polling, users upsert, reply) against a fake enforcing Telegram limits',
  async run() {
    const pg = await benchPostgres();
    const pool = benchPool({ connectionString: pg.url, max: 10 });
    try {
      const base = await bareTelegraf(pool);
      const o = await ours(pg.url, pool);
      const describe = (x: Outcome) =>
        `${x.answered}/${USERS} answered, ${x.usersStored} users stored, ${x.messagesPerStart.toFixed(2)} messages per /start, ${x.tooManyRequests} × 429`;
      return [
        {
          name: `${USERS} simultaneous /start, built app`,
          value: Math.round(o.perSecond * 10) / 10,
          unit: 'updates/s',
          baseline: {
            name: 'telegraf polling, same work, no sender',
            value: Math.round(base.perSecond * 10) / 10,
          },
          note: `ours: ${describe(o)}; baseline: ${describe(base)}; clock stops when every update is finished (ours: answered; baseline: handler returned, reply sent or lost); ours is capped by TELEGRAM_SEND_RATE (default 25/s) by design`,
        },
        {
          name: `users who got their /start reply (of ${USERS})`,
          value: o.answered,
          unit: 'users',
          baseline: { name: 'telegraf polling, same work, no sender', value: base.answered },
          note: 'the baseline makes each Bot API call once: a reply refused with 429 is never delivered',
        },
      ];
    } finally {
      await pool.end();
      await pg.stop();
    }
  },
};
