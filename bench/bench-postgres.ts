import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type PoolConfig } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { EmbeddedPostgresServer } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';

export const BENCH_ENV = { BOT_TOKEN: '123456:BENCH-token-abcdefghijklmnopqrstuvwxyz', NODE_ENV: 'test' };

/** A throw-away embedded PostgreSQL, migrated, for one benchmark. */
export async function benchPostgres(): Promise<{ url: string; config: AppConfig; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vpnbot-bench-'));
  await chmod(dir, 0o755);
  const server = new EmbeddedPostgresServer({ dataDir: dir, port: 0 });
  const url = await server.start();
  const config = AppConfig.fromEnv({ ...BENCH_ENV, DATABASE_URL: url });
  await runMigrations(config.database, url);
  return {
    url,
    config,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * A pg Pool whose idle clients' errors are handled: an idle client that PostgreSQL ends (57P01 when the bench
 * server stops) emits 'error' on the pool, and an unhandled 'error' would end the whole `npm run bench`.
 */
export function benchPool(config: PoolConfig): Pool {
  const pool = new Pool(config);
  pool.on('error', (err) => console.error(`bench pool: idle client error (ignored): ${err.message}`));
  return pool;
}
