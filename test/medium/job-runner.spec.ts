import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { PoolMonitor } from '../../src/database/pool-monitor';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';

let db: TestDatabase;
const apps: INestApplication[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  return async () => {
    await db.drop();
  };
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function start(env: Record<string, string> = {}, logger?: CapturedLogger) {
  const { app } = await createTestApp({ databaseUrl: db.url, env: { JOBS_ENABLED: 'true', ...env }, logger });
  apps.push(app);
  return { app, runner: app.get(JobRunnerService) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const uniqueName = (base: string) => `${base}-${++seq}`;

describe('JobRunnerService', () => {
  it('skips an overlapping iteration instead of running the job twice', async () => {
    const { runner } = await start();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let starts = 0;
    const name = uniqueName('overlap');
    runner.register({
      name,
      intervalMs: 60_000,
      initialDelayMs: 60_000,
      run: async () => void (starts++, await gate),
    });
    const first = runner.runNow(name);
    await sleep(100);
    expect(await runner.runNow(name)).toBe('skipped_overlap');
    release();
    expect(await first).toBe('ok');
    expect(starts).toBe(1);
  });

  it('aborts a hung iteration at its deadline through the AbortSignal', async () => {
    const { runner } = await start();
    const name = uniqueName('hung');
    let reason: unknown;
    runner.register({
      name,
      intervalMs: 60_000,
      initialDelayMs: 60_000,
      timeoutMs: 200,
      run: ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            reject(signal.reason as Error);
          }),
        ),
    });
    expect(await runner.runNow(name)).toBe('timeout');
    expect(String(reason)).toMatch(/deadline of 200 ms exceeded/);
    expect(runner.status().find((s) => s.name === name)).toMatchObject({
      lastOutcome: 'timeout',
      running: false,
    });
  });

  it('keeps single flight for an iteration that ignores its deadline, and reports it stuck', async () => {
    const { runner } = await start();
    const name = uniqueName('deaf');
    let release!: () => void;
    const never = new Promise<void>((r) => (release = r));
    runner.register({ name, intervalMs: 60_000, initialDelayMs: 60_000, timeoutMs: 100, run: () => never });
    expect(await runner.runNow(name)).toBe('timeout');
    expect(runner.status().find((s) => s.name === name)).toMatchObject({ stuck: true, running: true });
    expect(await runner.runNow(name)).toBe('skipped_overlap');
    release();
    await sleep(50);
    expect(runner.status().find((s) => s.name === name)).toMatchObject({ stuck: false, running: false });
  });

  it('never runs the same job on two app instances at once', async () => {
    const a = await start();
    const b = await start();
    const runs: { who: string; start: number; end: number }[] = [];
    const name = uniqueName('shared');
    for (const [who, inst] of [
      ['a', a],
      ['b', b],
    ] as const) {
      inst.runner.register({
        name,
        intervalMs: 40,
        jitterMs: 20,
        initialDelayMs: 0,
        run: async () => {
          const start = performance.now();
          await sleep(25);
          runs.push({ who, start, end: performance.now() });
        },
      });
    }
    await sleep(1_500);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    const sorted = [...runs].sort((x, y) => x.start - y.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end);
    // The lease stays with its holder while it keeps running the job: one replica does the work.
    expect(new Set(runs.map((r) => r.who)).size).toBe(1);
  });

  it('keeps the schedule of a job that throws, and writes one summary line per iteration', async () => {
    const logger = new CapturedLogger();
    const { runner } = await start({}, logger);
    const name = uniqueName('thrower');
    let runs = 0;
    runner.register({
      name,
      intervalMs: 50,
      jitterMs: 10,
      initialDelayMs: 0,
      run: async () => {
        runs++;
        throw new Error('boom');
      },
    });
    await sleep(600);
    expect(runs).toBeGreaterThanOrEqual(4);
    const lines = logger.matching(
      new RegExp(`^job=${name} took_ms=\\d+ processed=0 failed=0 outcome=failed error=boom`),
    );
    expect(lines.length).toBeGreaterThanOrEqual(runs - 1);
    expect(runner.status().find((s) => s.name === name)).toMatchObject({
      lastOutcome: 'failed',
      lastError: 'boom',
    });
  });

  it('counts processed and failed items reported by the job in its summary line', async () => {
    const logger = new CapturedLogger();
    const { runner } = await start({}, logger);
    const name = uniqueName('counter');
    runner.register({
      name,
      intervalMs: 60_000,
      initialDelayMs: 60_000,
      run: async (ctx) => {
        ctx.progress({ processed: 2 });
        ctx.progress({ processed: 1, failed: 1 });
        return { processed: 4 };
      },
    });
    await runner.runNow(name);
    expect(
      logger.matching(new RegExp(`^job=${name} took_ms=\\d+ processed=7 failed=1 outcome=ok$`)),
    ).toHaveLength(1);
  });

  it('writes the summary of an iteration that found nothing to do at debug, not info', async () => {
    const logger = new CapturedLogger();
    const { runner } = await start({}, logger);
    const idle = uniqueName('idle');
    const busy = uniqueName('busy');
    for (const [name, processed] of [
      [idle, 0],
      [busy, 1],
    ] as const)
      runner.register({ name, intervalMs: 60_000, initialDelayMs: 60_000, run: async () => ({ processed }) });
    expect(await runner.runNow(idle)).toBe('ok');
    expect(await runner.runNow(busy)).toBe('ok');
    const level = (name: string) =>
      logger.lines.filter((l) => l.message.startsWith(`job=${name} took_ms=`)).map((l) => l.level);
    expect(level(idle)).toEqual(['debug']);
    expect(level(busy)).toEqual(['log']);
  });

  it('never lets all jobs together use more connections than the jobs budget', async () => {
    const { app, runner } = await start({ JOBS_CONNECTION_BUDGET: '2' });
    const monitor = app.get(PoolMonitor);
    const dbs = app.get(DbService);
    let inUse = 0;
    let peak = 0;
    monitor.onAcquire((e) => {
      if (e.ok && e.caller.startsWith('job.budget')) peak = Math.max(peak, ++inUse);
    });
    monitor.onRelease((e) => {
      if (e.caller.startsWith('job.budget')) inUse--;
    });
    const names = [uniqueName('budget'), uniqueName('budget'), uniqueName('budget')];
    for (const name of names) {
      runner.register({
        name,
        intervalMs: 60_000,
        initialDelayMs: 60_000,
        run: async () => {
          await Promise.all(Array.from({ length: 5 }, () => dbs.query('sleep', 'SELECT pg_sleep(0.05)')));
          return { processed: 5 };
        },
      });
    }
    const outcomes = await Promise.all(names.map((n) => runner.runNow(n)));
    expect(outcomes).toEqual(['ok', 'ok', 'ok']);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('does not schedule a job listed in JOBS_DISABLED', async () => {
    const { runner } = await start({ JOBS_DISABLED: 'muted-job' });
    let runs = 0;
    runner.register({ name: 'muted-job', intervalMs: 20, initialDelayMs: 0, run: async () => void runs++ });
    await sleep(200);
    expect(runs).toBe(0);
    expect(runner.status().find((s) => s.name === 'muted-job')).toMatchObject({ enabled: false });
  });

  it('runs a job at the interval JOB_INTERVALS gives it instead of the declared one', async () => {
    const { runner } = await start({ JOB_INTERVALS: 'tuned-job=100' });
    let runs = 0;
    runner.register({
      name: 'tuned-job',
      intervalMs: 3_600_000,
      jitterMs: 600_000,
      initialDelayMs: 0,
      run: async () => void runs++,
    });
    const deadline = Date.now() + 10_000;
    while (runs < 3 && Date.now() < deadline) await sleep(50);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runner.status().find((s) => s.name === 'tuned-job')).toMatchObject({ intervalMs: 100 });
  });
});
