import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import type { Bench } from './bench.types';
import { BENCH_ENV, benchPostgres, median } from './bench-postgres';
import { demoStartFigures } from './demo-start';

const MAIN = resolve(__dirname, '../src/main.js');
const RUNS = 3;

/** Spawns a process and measures the time until `url` answers 200; then stops it with SIGTERM. */
async function timeToReady(args: string[], env: Record<string, string>, path: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  let gone = false;
  const exited = new Promise((r) => proc.once('exit', r)).then(() => (gone = true));
  try {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && !gone) {
      const ok = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(gone ? `exited before ${path} answered 200` : `no 200 from ${path} within 90 s`);
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

const BARE_SERVER = `require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1')`;

export const bench: Bench = {
  title: 'Cold start to ready',
  async run() {
    const pg = await benchPostgres();
    // Polled every 20 ms: above readiness' per-IP limit (120 a minute) once a start takes longer than 2.4 s.
    const env = {
      ...BENCH_ENV,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_HEALTH: '100000',
      METRICS_BASIC_AUTH: `prometheus:${'5e'.repeat(16)}`,
      ALLOW_EMBEDDED_DB: 'true',
    };
    try {
      const bare: number[] = [];
      const external: number[] = [];
      const embeddedWarm: number[] = [];
      const embeddedFresh: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        bare.push(await timeToReady(['-e', BARE_SERVER], env, '/'));
        external.push(await timeToReady([MAIN], { ...env, DATABASE_URL: pg.url }, '/health/ready'));
        const dir = await mkdtemp(join(tmpdir(), 'vpnbot-bench-data-'));
        await chmod(dir, 0o755);
        try {
          embeddedFresh.push(await timeToReady([MAIN], { ...env, DATA_DIR: dir }, '/health/ready'));
          embeddedWarm.push(await timeToReady([MAIN], { ...env, DATA_DIR: dir }, '/health/ready'));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      const baseline = { name: 'bare node http server', value: Math.round(median(bare)) };
      return [
        {
          name: 'external PostgreSQL (DATABASE_URL), migrated',
          value: Math.round(median(external)),
          unit: 'ms',
          baseline,
          note: `median of ${RUNS}; embedded Postgres excluded`,
        },
        {
          name: 'embedded PostgreSQL, existing ./.data',
          value: Math.round(median(embeddedWarm)),
          unit: 'ms',
          baseline,
          note: 'second start: server start, no initdb, no migrations',
        },
        {
          name: 'embedded PostgreSQL, first start',
          value: Math.round(median(embeddedFresh)),
          unit: 'ms',
          baseline,
          note: 'includes initdb and the initial migration; target < 15 000 ms',
        },
        ...(await demoStartFigures(baseline)),
      ];
    } finally {
      await pg.stop();
    }
  },
};
