import { DataSource, type QueryRunner } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { withCaller } from '../../src/database/caller-context';
import { DbService } from '../../src/database/db.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { PaymentsModule } from '../../src/payments/payments.module';
import { VpnModule } from '../../src/vpn/vpn.module';
import type { TestDatabase } from '../support/database';
import { createFactory } from '../support/factories';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest } from '../support/test-bed';
import { startWatchdogApp, until, type WatchdogApp } from '../support/watchdog-app';

let db: TestDatabase;
let fake: FakeTelegram;
let w: WatchdogApp | undefined;

testBedPerTest({ started: (s) => ({ db, telegram: fake } = s), apps: () => [w?.app] });

const DAY_MS = 86_400_000;

/** What a real handler does with the database: upsert the user, read their subscriptions, in short steps. */
function databaseHandler(dbs: DbService) {
  return async (m: { chat: number }) => {
    await dbs.query(
      'telegram.update/users.touch',
      `INSERT INTO users (id, language_code, last_seen_at) VALUES ($1, 'en', now())
       ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`,
      [m.chat],
    );
    await dbs.query('telegram.update/subscriptions.list', 'SELECT * FROM subscriptions WHERE user_id = $1', [
      m.chat,
    ]);
  };
}

describe('chaos C: pool pressure', () => {
  it('keeps updates within their latency budget when every job is due at once and 200 updates arrive together', async () => {
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      imports: [PaymentsModule, VpnModule],
      env: { TELEGRAM_POLL_TIMEOUT_S: '1', TELEGRAM_POLL_MARGIN_MS: '2000', DB_POOL_SIZE: '10' },
    });
    // Work for every job: expired subscriptions (sweep + revokes), renewals due with balance, reminders due,
    // stale pending purchases.
    const f = createFactory(w.app.get(DataSource));
    for (let i = 0; i < 40; i++) await f.subscription({ expiresAt: new Date(Date.now() - 60_000) });
    for (let i = 0; i < 30; i++)
      await f.subscription({
        expiresAt: new Date(Date.now() + DAY_MS / 2),
        autoRenew: true,
        balanceMinor: 100_000,
      });
    for (let i = 0; i < 30; i++) await f.subscription({ expiresAt: new Date(Date.now() + 2 * DAY_MS) });
    for (let i = 0; i < 30; i++) await f.purchase({ expiresAt: new Date(Date.now() - 60_000) });
    w.handler.behaviour = databaseHandler(w.app.get(DbService));

    // The 600-second boundary: every job at once, and 200 users writing at the same moment.
    const runner = w.app.get(JobRunnerService);
    const jobs = runner.status().map((j) => j.name);
    const pushedAt = new Map<number, number>();
    const t0 = performance.now();
    const jobRuns = Promise.all(jobs.map((name) => runner.runNow(name)));
    for (let i = 0; i < 200; i++) {
      const id = fake.userMessage({ id: 5_000 + i }, `burst ${i}`);
      pushedAt.set(id, performance.now());
    }
    await until(() => w!.handler.done.length >= 200, 60_000, '200 updates processed');
    const outcomes = await jobRuns;
    const wallMs = performance.now() - t0;

    const latencies = w.handler.done.map((d) => d.at - pushedAt.get(d.updateId)!).sort((a, b) => a - b);
    const p = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
    console.info(
      `chaos C burst: jobs=${jobs.join(',')} outcomes=${outcomes.join(',')} wall=${Math.round(wallMs)} ms ` +
        `latency p50=${p(0.5)} p95=${p(0.95)} max=${p(1)} ms`,
    );
    // Zero loss, each once.
    expect(new Set(w.handler.done.map((d) => d.updateId)).size).toBe(200);
    expect(w.handler.done).toHaveLength(200);
    expect(jobs.length).toBeGreaterThanOrEqual(6);
    // Generous bound (figures go to bench/): far below the 15 s handler deadline and the predecessor's freeze.
    expect(p(1)).toBeLessThan(10_000);
    // The jobs' connection budget kept the pool from starving: no class C, nothing failed.
    expect(w.logs.matching(/^freeze_class=C /)).toHaveLength(0);
    expect(w.dispatcher.status().failed).toBe(0);
    // The outbox and payment gauges the watchdog refreshes: the renewals above were paid from balance.
    await until(
      async () => /^app_rows\{table="purchases",state="paid"\} [1-9]/m.test((await w!.get('/metrics')).text),
      10_000,
      'purchases gauge',
    );
    expect((await w.get('/metrics')).text).toMatch(
      /^app_rows\{table="vpn_operations",state="pending"\} \d+$/m,
    );
  }, 90_000);

  it('reports class C naming the holders when connections are held artificially, sheds load and loses nothing', async () => {
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      env: {
        TELEGRAM_POLL_TIMEOUT_S: '1',
        TELEGRAM_POLL_MARGIN_MS: '2000',
        DB_POOL_SIZE: '6',
        JOBS_CONNECTION_BUDGET: '1',
        TELEGRAM_HANDLER_CONCURRENCY: '4',
        WATCHDOG_POOL_STARVATION_MS: '1500',
        DB_READY_TIMEOUT_MS: '1000',
        WATCHDOG_ACTION: 'recover',
      },
    });
    w.handler.behaviour = databaseHandler(w.app.get(DbService));
    const before = fake.userMessage({ id: 801 }, 'before');
    await until(() => w!.handler.done.length === 1, 10_000, 'warm-up update');

    // Every connection taken by two labelled leaks: a report export and a stuck job (the classic holders).
    const ds = w.app.get(DataSource);
    const held: QueryRunner[] = [];
    for (let i = 0; i < 6; i++) {
      const label = i % 2 === 0 ? 'admin.export-report' : 'job.fast-expiry/batch';
      const qr = ds.createQueryRunner();
      await withCaller({ label }, () => qr.connect());
      held.push(qr);
    }
    const starvedAt = Date.now();
    const during = [1, 2, 3].map((i) => fake.userMessage({ id: 810 + i }, `during ${i}`));

    await until(() => w!.logs.matching(/^freeze_class=C /).length > 0, 10_000, 'class C');
    const detectedMs = Date.now() - starvedAt;
    const [line] = w.logs.matching(/^freeze_class=C /);
    expect(line).toContain('admin.export-report');
    expect(line).toContain('job.fast-expiry/batch');
    await until(() => w!.logs.matching(/watchdog recovery for class C/).length > 0, 5_000, 'shed load');
    expect(w.logs.matching(/watchdog recovery for class C/)[0]).toMatch(
      /paused the dispatcher for 2000 ms to shed load; connections held by .*admin\.export-report/,
    );
    expect(w.dispatcher.status().pausedForMs).toBeGreaterThan(0);
    console.info(`chaos C starvation: detected in ${detectedMs} ms`);
    expect(detectedMs).toBeLessThan(1_500 + 5_000);

    // Both probes answer within their deadline while the pool is starved: live says up, ready says 503.
    const t = performance.now();
    const [live, ready] = await Promise.all([w.get('/health/live'), w.get('/health/ready')]);
    const probeMs = performance.now() - t;
    expect(live.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(/no answer within 1000 ms/);
    expect(probeMs).toBeLessThan(1_000 + 1_500);

    // The leaks end: everything flows again, nothing lost.
    for (const qr of held) await qr.release();
    await until(
      () => during.every((id) => w!.handler.done.some((d) => d.updateId === id)),
      20_000,
      'drained',
    );
    expect(w.handler.done.map((d) => d.updateId).sort()).toEqual([before, ...during].sort());
    await until(async () => (await w!.get('/health/ready')).status === 200, 15_000, 'ready again');
    await until(() => w!.watchdog.status().class === 'healthy', 5_000, 'healthy again');
  }, 60_000);
});
