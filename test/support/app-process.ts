import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';
import { testEnv } from './test-env';

export interface AppProcess {
  proc: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything written to stdout and stderr so far (unless stdout is left unread). */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** 'unread': stdout is a pipe nobody reads (a stalled log collector). */
  stdout?: 'read' | 'unread';
  /** A port chosen beforehand (e.g. for a WEBHOOK_URL that must name it); default: a free one. */
  port?: number;
}

// From test/support (vitest) the build is ../../dist/src; compiled to dist/test/support (benches) it is ../../src.
const MAIN =
  [resolve(__dirname, '../../dist/src/main.js'), resolve(__dirname, '../../src/main.js')].find((p) =>
    existsSync(p),
  ) ?? resolve(__dirname, '../../dist/src/main.js');

/** Runs the built application (npm test builds it first) as a real process on a free port. */
export async function startApp(opts: StartOptions = {}): Promise<AppProcess> {
  const port = opts.port ?? (await freePort());
  const env = testEnv({ PORT: String(port), ...opts.env });
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...clean },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  if (opts.stdout !== 'unread') proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `url` until it answers `status` or `timeoutMs` passes; returns the last response body. */
export async function waitFor(
  url: string,
  opts: { status?: number; timeoutMs?: number } = {},
): Promise<unknown> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = await res.json().catch(() => undefined);
      if (res.status === (opts.status ?? 200)) return last;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `${url} did not answer ${opts.status ?? 200} within ${opts.timeoutMs ?? 30_000} ms: ${JSON.stringify(last)}`,
  );
}
