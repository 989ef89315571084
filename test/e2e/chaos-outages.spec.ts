import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { AppConfig } from '../../src/config/app-config';
import { EmbeddedPostgresServer, freePort } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { CB } from '../../src/telegram/bot/views/callback-data';
import { startApp, waitFor, type AppProcess } from '../support/app-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

let telegram: FakeTelegram;
let dataDir: string;
const running: AppProcess[] = [];

beforeAll(async () => {
  telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop('SIGKILL')));
  telegram.clearFaults();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});
afterAll(async () => {
  await telegram?.stop();
});

/** The built app with the strictest policy: if anything made it exit, these tests would see it. */
async function launch(databaseUrl: string): Promise<AppProcess> {
  dataDir = await mkdtemp(join(tmpdir(), 'vpnbot-chaos-outage-'));
  const app = await startApp({
    env: {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '1',
      TELEGRAM_POLL_MARGIN_MS: '1000',
      WATCHDOG_ACTION: 'exit',
      WATCHDOG_GRACE_MS: '0',
      WATCHDOG_EXIT_AFTER_MS: '3000',
      WATCHDOG_STALL_MS: '3000',
      DB_READY_TIMEOUT_MS: '1000',
      DB_ACQUIRE_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    },
  });
  running.push(app);
  await waitFor(`${app.baseUrl}/health/ready`, { timeoutMs: 30_000 });
  return app;
}

async function probe(app: AppProcess, path: string): Promise<{ status: number; ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(`${app.baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  const body = await res.json().catch(() => undefined);
  return { status: res.status, ms: performance.now() - t0, body };
}

/** Samples /health/ready every 250 ms: statuses seen and the slowest answer. */
function sampleReadiness(app: AppProcess) {
  const statuses: number[] = [];
  let slowestMs = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const r = await probe(app, '/health/ready').catch(() => ({ status: 0, ms: 5_000 }));
      statuses.push(r.status);
      slowestMs = Math.max(slowestMs, r.ms);
      await new Promise((res) => setTimeout(res, 250));
    }
  })();
  return {
    statuses,
    slowest: () => slowestMs,
    stop: async () => {
      stop = true;
      await loop;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos: outside systems down', () => {
  // "Telegram down for 5 minutes", scaled to 15 s: with a 1 s long poll and a 2 s HTTP deadline, 15 s is
  // many deadlines and many backoff rounds, which is what the 5 minutes exercise.
  it('survives the Telegram API down for 15 s (scaled from 5 min): not ready meanwhile, ready after, no update lost', async () => {
    let db: TestDatabase | undefined = await createTestDatabase();
    try {
      const app = await launch(db.url);
      const ready = sampleReadiness(app);
      // Every method fails, alternating dropped connections and 502s, until cleared.
      for (let i = 0; i < 2_000; i++)
        telegram.fault('*', i % 2 ? { kind: 'drop' } : { kind: 'status', code: 502 });
      const users = [1, 2, 3, 4, 5].map((i) => ({ id: 7_100 + i }));
      const ids = users.map((u) => telegram.userMessage(u, '/start'));
      await sleep(15_000);
      const during = [...ready.statuses];
      const live = await probe(app, '/health/live').catch((err: unknown) => {
        throw new Error(`the app is gone (${String(err)}); its output:\n${app.output().slice(-4_000)}`);
      });
      telegram.clearFaults();

      await expect
        // Updates that reached the inbox before the outage retry with backoff capped at 30 s: allow one round.
        .poll(() => users.every((u) => telegram.sentTo(u.id, 'sendMessage').length >= 1), { timeout: 45_000 })
        .toBe(true)
        .catch((err: Error) => {
          throw new Error(
            `${err.message}\nreplied: ${users.map((u) => telegram.sentTo(u.id).length)}\n${app.output().slice(-5_000)}`,
          );
        });
      await waitFor(`${app.baseUrl}/health/ready`, { timeoutMs: 15_000 });
      await ready.stop();

      expect(app.proc.exitCode).toBeNull();
      expect(app.proc.signalCode).toBeNull();
      expect(existsSync(join(dataDir, 'watchdog-exits.json'))).toBe(false);
      expect(live.status).toBe(200);
      expect(during).toContain(503);
      expect(ready.slowest()).toBeLessThan(3_000);
      // Each update answered exactly once.
      for (const u of users) expect(telegram.sentTo(u.id, 'sendMessage')).toHaveLength(1);
      expect(telegram.confirmedOffset).toBeGreaterThan(Math.max(...ids));
    } finally {
      await db?.drop();
      db = undefined;
    }
  }, 120_000);

  it('survives a real PostgreSQL restart: not ready while it is down (answering fast), ready after, no update or payment lost', async () => {
    const pgDir = await mkdtemp(join(tmpdir(), 'vpnbot-chaos-pg-'));
    await chmod(pgDir, 0o755);
    const port = await freePort();
    let pg = new EmbeddedPostgresServer({ dataDir: pgDir, port });
    try {
      const url = await pg.start();
      await runMigrations(AppConfig.fromEnv(testEnv({ DATABASE_URL: url })).database, url);
      const app = await launch(url);
      const users = [1, 2, 3].map((i) => ({ id: 7_200 + i }));
      telegram.userMessage(users[0], '/start');
      await expect
        .poll(() => telegram.sentTo(users[0].id, 'sendMessage').length, { timeout: 15_000 })
        .toBe(1);
      // A Stars purchase up to the point where Telegram charges the user: invoice sent, pre-checkout approved.
      const buyer = users[0];
      telegram.pressButton(buyer, CB.payStars('1m'));
      await expect.poll(() => telegram.sentTo(buyer.id, 'sendInvoice').length, { timeout: 15_000 }).toBe(1);
      const inv = telegram.sentTo(buyer.id, 'sendInvoice')[0].params as { payload: string; prices: unknown };
      const prices = (typeof inv.prices === 'string' ? JSON.parse(inv.prices) : inv.prices) as {
        amount: number;
      }[];
      const total = prices.reduce((a, x) => a + x.amount, 0);
      telegram.preCheckout(buyer, { payload: inv.payload, totalAmount: total });
      const approved = () =>
        telegram.sent.some((c) => c.method === 'answerPreCheckoutQuery' && String(c.params.ok) === 'true');
      await expect.poll(approved, { timeout: 15_000 }).toBe(true);

      const ready = sampleReadiness(app);
      await pg.stop();
      const downAt = Date.now();
      // While the database is down: updates arrive (they stay unconfirmed at Telegram), probes answer fast.
      // The payment lands in the middle of the outage.
      const ids = users.slice(1).map((u) => telegram.userMessage(u, '/start'));
      const charge = `chaos-charge-${buyer.id}`;
      ids.push(
        telegram.successfulPayment(buyer, { payload: inv.payload, totalAmount: total, chargeId: charge }),
      );
      await expect.poll(() => ready.statuses.includes(503), { timeout: 10_000 }).toBe(true);
      const live = await probe(app, '/health/live');
      const notReady = await probe(app, '/health/ready');
      await sleep(Math.max(0, 8_000 - (Date.now() - downAt)));

      pg = new EmbeddedPostgresServer({ dataDir: pgDir, port });
      await pg.start();
      await waitFor(`${app.baseUrl}/health/ready`, { timeoutMs: 30_000 });
      await expect
        .poll(() => users.every((u) => telegram.sentTo(u.id, 'sendMessage').length >= 1), { timeout: 30_000 })
        .toBe(true);
      await ready.stop();

      expect(live.status).toBe(200);
      expect(notReady.status).toBe(503);
      expect(notReady.ms).toBeLessThan(1_000 + 1_500);
      expect(ready.slowest()).toBeLessThan(3_000);
      expect(app.proc.exitCode).toBeNull();
      expect(app.proc.signalCode).toBeNull();
      for (const u of users.slice(1)) expect(telegram.sentTo(u.id, 'sendMessage')).toHaveLength(1);
      expect(telegram.confirmedOffset).toBeGreaterThan(Math.max(...ids));
      // The payment made during the outage is credited, exactly once.
      const sql = new Client({ connectionString: url });
      await sql.connect();
      try {
        const status = async () =>
          (await sql.query<{ status: string }>('SELECT status FROM purchases WHERE id = $1', [inv.payload]))
            .rows[0]?.status;
        await expect.poll(status, { timeout: 30_000 }).toBe('paid');
        const paid = await sql.query<{ n: string }>(
          "SELECT count(*) AS n FROM purchases WHERE user_id = $1 AND status = 'paid'",
          [buyer.id],
        );
        expect(Number(paid.rows[0].n)).toBe(1);
      } finally {
        await sql.end();
      }
    } finally {
      await Promise.all(running.splice(0).map((a) => a.stop('SIGKILL')));
      await pg.stop().catch(() => undefined);
      await rm(pgDir, { recursive: true, force: true });
    }
  }, 150_000);
});
