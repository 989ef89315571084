import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import { textMessage } from '../src/demo/fake-telegram-updates';
import { waitFor } from '../test/support/app-process';
import { testEnv } from '../test/support/test-env';
import { descendants } from './process-memory';

// Compiled to dist/bench/: the built app is dist/src/main.js.
const MAIN = resolve(__dirname, '../src/main.js');

export interface Instance {
  proc: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

export const WEBHOOK_SECRET = 'bench-replicas-secret-0123456789abcdef';

/** A /start from new user `chatId` as update `updateId`, posted as Telegram would to `baseUrl`'s webhook. */
export async function postStart(baseUrl: string, chatId: number, updateId: number): Promise<void> {
  const user = { id: chatId, firstName: 'Ann', languageCode: 'en' };
  const r = await fetch(`${baseUrl}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    body: JSON.stringify({
      update_id: updateId,
      ...textMessage(1, user, { id: chatId, type: 'private' }, '/start'),
    }),
    signal: AbortSignal.timeout(30_000),
  });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`webhook answered ${r.status} to the update for ${chatId}`);
}

/**
 * One built app process (dist/src/main.js) in webhook mode on `databaseUrl`; Telegram calls go to the fake at
 * `apiRoot`, and its webhook is `proxyUrl` (the round-robin proxy every instance registers).
 */
export async function startInstance(
  databaseUrl: string,
  apiRoot: string,
  proxyUrl: string,
  sendRate: number,
  extra: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<Instance> {
  const port = await freePort();
  const env = testEnv({
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_MODE: 'webhook',
    WEBHOOK_URL: `${proxyUrl}/telegram/webhook`,
    WEBHOOK_SECRET,
    // The most the sender may send per second (its limit is per process).
    TELEGRAM_SEND_RATE: String(sendRate),
    LOG_LEVEL: 'error',
    ...extra.env,
  }) as Record<string, string>;
  const proc = spawn(process.execPath, [...(extra.nodeArgs ?? []), MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  await waitFor(`http://127.0.0.1:${port}/health/live`).catch(async (e: Error) => {
    await stop();
    throw new Error(`${e.message}\n${err}`);
  });
  return { proc, port, stop };
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
