import { readFileSync } from 'node:fs';
import { freePort } from '../src/database/embedded-postgres';
import { startApp, waitFor, type AppProcess } from '../test/support/app-process';
import { descendants } from './process-memory';

export const WEBHOOK_SECRET = 'bench-replicas-secret-0123456789abcdef';

/**
 * One built app process (dist/src/main.js) in webhook mode on `databaseUrl`; Telegram calls go to the fake at
 * `apiRoot`, and its webhook is `proxyUrl` (the round-robin proxy every instance registers).
 */
export async function startInstance(
  databaseUrl: string,
  apiRoot: string,
  proxyUrl: string,
): Promise<AppProcess> {
  const app = await startApp({
    port: await freePort(),
    env: {
      DATABASE_URL: databaseUrl,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_MODE: 'webhook',
      WEBHOOK_URL: `${proxyUrl}/telegram/webhook`,
      WEBHOOK_SECRET,
      // The most the sender may send per second (its limit is per process).
      TELEGRAM_SEND_RATE: '30',
      LOG_LEVEL: 'error',
    },
  });
  await waitFor(`${app.baseUrl}/health/live`).catch(async (e: Error) => {
    await app.stop();
    throw new Error(`${e.message}\n${app.output()}`);
  });
  return app;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds per PostgreSQL process under this bench process (postmaster and backends). */
export function postgresCpu(): Map<number, number> {
  return new Map(
    descendants(process.pid)
      .filter((p) => /postgres/.test(p.cmd))
      .map((p) => [p.pid, cpuSeconds(p.pid)]),
  );
}

/** CPU seconds the PostgreSQL processes used between two `postgresCpu()` readings. */
export function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}
