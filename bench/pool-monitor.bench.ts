import type { Pool } from 'pg';
import { withCaller } from '../src/database/caller-context';
import { PoolMonitor } from '../src/database/pool-monitor';
import type { Bench } from './bench.types';
import { benchPostgres, median, benchPool } from './bench-postgres';

const CYCLES = 5_000;
const ROUNDS = 5;

async function acquireRelease(pool: Pool, label: string): Promise<number> {
  const t0 = performance.now();
  await withCaller({ label }, async () => {
    for (let i = 0; i < CYCLES; i++) {
      const c = await pool.connect();
      c.release();
    }
  });
  return CYCLES / ((performance.now() - t0) / 1000);
}

async function roundTrips(pool: Pool, label: string): Promise<number> {
  const n = 2_000;
  const t0 = performance.now();
  await withCaller({ label }, async () => {
    for (let i = 0; i < n; i++) await pool.query('SELECT 1');
  });
  return n / ((performance.now() - t0) / 1000);
}

export const bench: Bench = {
  title: 'Pool monitor overhead: monitored pool vs bare pg Pool',
  async run() {
    const pg = await benchPostgres();
    const bare = benchPool({ connectionString: pg.url, max: 4 });
    const monitored = benchPool({ connectionString: pg.url, max: 4 });
    const monitor = new PoolMonitor();
    monitor.attach(monitored, { holdWarnMs: 60_000 });
    try {
      // Warm both pools, then alternate rounds so drift affects both equally.
      await acquireRelease(bare, 'warm');
      await acquireRelease(monitored, 'warm');
      const bareAcq: number[] = [];
      const monAcq: number[] = [];
      const bareRt: number[] = [];
      const monRt: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        bareAcq.push(await acquireRelease(bare, 'bench'));
        monAcq.push(await acquireRelease(monitored, 'bench'));
        bareRt.push(await roundTrips(bare, 'bench'));
        monRt.push(await roundTrips(monitored, 'bench'));
      }
      const acq = { bare: median(bareAcq), mon: median(monAcq) };
      const rt = { bare: median(bareRt), mon: median(monRt) };
      return [
        {
          name: 'acquire + release, monitored',
          value: Math.round(acq.mon),
          unit: 'ops/s',
          baseline: { name: 'bare pg Pool', value: Math.round(acq.bare) },
          note: `median of ${ROUNDS} rounds × ${CYCLES}; overhead ${(((acq.bare - acq.mon) / acq.bare) * 100).toFixed(1)}% per acquire`,
        },
        {
          name: 'SELECT 1 round trips, monitored',
          value: Math.round(rt.mon),
          unit: 'queries/s',
          baseline: { name: 'bare pg Pool', value: Math.round(rt.bare) },
          note: `overhead ${(((rt.bare - rt.mon) / rt.bare) * 100).toFixed(1)}% per query (what the application sees)`,
        },
      ];
    } finally {
      monitor.onModuleDestroy();
      await bare.end();
      await monitored.end();
      await pg.stop();
    }
  },
};
