import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { JOB_NAMES } from '../../src/jobs/job-schedules';
import { JobWakeupsService } from '../../src/jobs/job-wakeups.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createFactory } from '../support/factories';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp } from '../support/test-app';
import { until } from '../support/test-bed';

let db: TestDatabase;
const apps: INestApplication[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  return () => db.drop();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(proxies.splice(0).map((p) => p.down()));
});

const NEVER = '999999999';
let seq = 0;

/**
 * An app whose notifications-delivery job is a probe: each iteration records which of the test's rows it
 * could see. The interval is effectively never unless the test sets one, so a run is a wake-up.
 */
async function start(o: { env?: Record<string, string>; intervalMs?: number; jobs?: boolean } = {}) {
  const { app } = await createTestApp({
    databaseUrl: db.url,
    env: { JOBS_ENABLED: String(o.jobs ?? true), ...o.env },
  });
  apps.push(app);
  const runner = app.get(JobRunnerService);
  const wakeups = app.get(JobWakeupsService);
  const dbs = app.get(DbService);
  const seen: string[][] = [];
  if (o.jobs !== false) {
    runner.register({
      name: JOB_NAMES.notificationsDelivery,
      intervalMs: o.intervalMs ?? Number(NEVER),
      initialDelayMs: o.intervalMs ?? Number(NEVER),
      run: async () => {
        const rows = await dbs.query<{ k: string }>(
          'test',
          `SELECT dedupe_key AS k FROM notifications WHERE dedupe_key LIKE 'wake:%' ORDER BY id`,
        );
        seen.push(rows.map((r) => r.k));
      },
    });
    await until(() => wakeups.status().connected, 10_000, 'listener connected');
  }
  const status = () => runner.status().find((s) => s.name === JOB_NAMES.notificationsDelivery)!;
  return { app, runner, wakeups, dbs, seen, status };
}

async function insertNotification(dbs: DbService, userId: number): Promise<string> {
  const key = `wake:${++seq}`;
  await dbs.query(
    'test',
    `INSERT INTO notifications (user_id, kind, dedupe_key) VALUES ($1, 'refund_processed', $2)`,
    [userId, key],
  );
  return key;
}

describe('outbox wake-ups (LISTEN/NOTIFY)', () => {
  it('wakes the job only once the inserting transaction commits, and not on the schedule', async () => {
    const a = await start();
    const user = await createFactory(a.dbs.dataSource).user();
    const runsBefore = a.seen.length;
    const key = `wake:${++seq}`;
    let inserted!: () => void;
    const insertedP = new Promise<void>((r) => (inserted = r));
    let commit!: () => void;
    const commitP = new Promise<void>((r) => (commit = r));
    const tx = a.dbs.transaction('test.tx', async (em) => {
      await em.query(
        `INSERT INTO notifications (user_id, kind, dedupe_key) VALUES ($1, 'refund_processed', $2)`,
        [user.id, key],
      );
      inserted();
      await commitP;
    });
    await insertedP;
    // The row is written but not committed: a wake-up now would be a run that cannot see it.
    await new Promise((r) => setTimeout(r, 300));
    expect(a.seen.length).toBe(runsBefore);
    commit();
    await tx;
    await until(() => a.seen.some((s) => s.includes(key)), 10_000, 'woken run');
    expect(a.seen.slice(runsBefore).every((s) => s.includes(key))).toBe(true);
    expect(a.status()).toMatchObject({ ticks: 0 });
    expect(a.status().wakeups).toBeGreaterThanOrEqual(1);
  });

  it('wakes the job on another app instance on the same database', async () => {
    const writer = await start({ jobs: false });
    expect(writer.wakeups.status()).toMatchObject({ enabled: false, connected: false });
    const worker = await start();
    const user = await createFactory(writer.dbs.dataSource).user();
    const key = await insertNotification(writer.dbs, user.id);
    await until(() => worker.seen.some((s) => s.includes(key)), 10_000, 'other instance woken');
    expect(worker.status().ticks).toBe(0);
  });

  it('runs one more iteration when woken during a run, never two at once', async () => {
    const a = await start();
    let release!: () => void;
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const name = `wake-probe-${++seq}`;
    const gate = new Promise<void>((r) => (release = r));
    a.runner.register({
      name,
      intervalMs: Number(NEVER),
      initialDelayMs: Number(NEVER),
      run: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await gate;
        running--;
      },
    });
    a.runner.wake(name);
    a.runner.wake(name);
    a.runner.wake(name);
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(1);
    release();
    await until(() => runs === 2, 5_000, 'follow-up run');
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('reconnects after PostgreSQL ends the LISTEN session and wakes the job again', async () => {
    const a = await start();
    const user = await createFactory(a.dbs.dataSource).user();
    const killed = await a.dbs.query<{ ok: boolean }>(
      'test',
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE '%:listen'`,
    );
    expect(killed).toEqual([{ ok: true }]);
    await until(() => a.wakeups.status().reconnects >= 1, 10_000, 'listener noticed the loss');
    await until(() => a.wakeups.status().connected, 10_000, 'listener reconnected');
    const key = await insertNotification(a.dbs, user.id);
    await until(() => a.seen.some((s) => s.includes(key)), 10_000, 'woken after reconnect');
    expect(a.status().ticks).toBe(0);
  });

  it('keeps delivering through the poll while the listener is cut off, then listens again', async () => {
    const u = new URL(db.url);
    const proxy = await new TcpProxy(u.hostname, Number(u.port)).up();
    proxies.push(proxy);
    const a = await start({ env: { DATABASE_LISTEN_URL: proxy.route(db.url) }, intervalMs: 300 });
    const user = await createFactory(a.dbs.dataSource).user();
    await proxy.down();
    await until(() => !a.wakeups.status().connected, 10_000, 'listener cut off');
    const received = a.wakeups.status().received;
    const ticks = a.status().ticks;
    const key = await insertNotification(a.dbs, user.id);
    await until(() => a.seen.some((s) => s.includes(key)), 10_000, 'delivered by the poll');
    expect(a.wakeups.status()).toMatchObject({ connected: false, received });
    expect(a.status().ticks).toBeGreaterThan(ticks);

    await proxy.up();
    await until(() => a.wakeups.status().connected, 40_000, 'listener back');
    await insertNotification(a.dbs, user.id);
    await until(() => a.wakeups.status().received > received, 10_000, 'notice received again');
  });
});
