import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { PoolMonitor } from '../../src/database/pool-monitor';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';

let db: TestDatabase;
let app: INestApplication;
const logger = new CapturedLogger();

beforeAll(async () => {
  db = await createTestDatabase();
  ({ app } = await createTestApp({
    databaseUrl: db.url,
    env: {
      DB_POOL_SIZE: '3',
      JOBS_CONNECTION_BUDGET: '1',
      TELEGRAM_HANDLER_CONCURRENCY: '1',
      HTTP_CONNECTION_BUDGET: '1',
      DB_HOLD_WARN_MS: '150',
      DB_ACQUIRE_TIMEOUT_MS: '300',
    },
    logger,
  }));
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('PoolMonitor', () => {
  it('records acquire wait and hold time per caller label', async () => {
    const dbs = app.get(DbService);
    await dbs.transaction('checkout', (em) => em.query('SELECT pg_sleep(0.05)'));
    const stats = app.get(PoolMonitor).callerStats()['checkout'];
    expect(stats.acquires).toBe(1);
    expect(stats.holdMsMax).toBeGreaterThanOrEqual(50);
  });

  it('names the caller holding a connection past the threshold, while it is held', async () => {
    const dbs = app.get(DbService);
    const monitor = app.get(PoolMonitor);
    const held = dbs.transaction('slow-report', (em) => em.query('SELECT pg_sleep(0.4)'));
    await new Promise((r) => setTimeout(r, 250));
    expect(monitor.snapshot().longestHold).toMatchObject({ caller: 'slow-report' });
    await held;
    expect(logger.matching(/connection held by slow-report for \d+ ms \(threshold 150 ms\)/)).toHaveLength(1);
    expect(monitor.snapshot().holds).toEqual([]);
  });

  it('shows waiters when every connection is busy, and fails the acquire at its deadline naming the holders', async () => {
    const dbs = app.get(DbService);
    const monitor = app.get(PoolMonitor);
    const hogs = [1, 2, 3].map(() => dbs.transaction('hog', (em) => em.query('SELECT pg_sleep(0.8)')));
    await new Promise((r) => setTimeout(r, 100));
    const starving = dbs.query('starved', 'SELECT 1');
    await new Promise((r) => setTimeout(r, 50));
    const snap = monitor.snapshot();
    expect(snap).toMatchObject({ busy: 3, max: 3, waiting: 1 });
    await expect(starving).rejects.toThrow(/timeout/i);
    await Promise.all(hogs);
    expect(monitor.callerStats()['starved'].acquireErrors).toBe(1);
    expect(
      logger.matching(
        /connection acquire failed for starved after \d+ ms \(busy=3\/3 waiting=0 holders=hog:/,
      ),
    ).toHaveLength(1);
  });
});
