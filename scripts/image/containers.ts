import { podman, podmanOk } from './podman';

export const IMAGE = 'localhost/vpn-bot:test-image';
const PREFIX = 'vpnbot-test-image';

/** Settings of a production start (the image's NODE_ENV) against a Bot API at `apiRoot`. */
export function liveEnv(apiRoot: string, token: string): Record<string, string> {
  return {
    BOT_TOKEN: token,
    TELEGRAM_API_ROOT: apiRoot,
    ALLOW_EMBEDDED_DB: 'true',
    METRICS_BASIC_AUTH: `prometheus:${'a1b2c3d4'.repeat(8)}`,
    LOG_LEVEL: 'info',
    ...POLLING,
  };
}

/** waitReady polls /health/ready every 50 ms: above its default per-IP limit (120 a minute). */
export const POLLING = { RATE_LIMIT_HEALTH: '100000' };

export interface Started {
  name: string;
  port: number;
  /** performance.now() just before `podman run`. */
  t0: number;
}

let seq = 0;

/** Starts the image detached on the host network (so it reaches fakes on the host's 127.0.0.1). */
export async function startContainer(
  port: number,
  env: Record<string, string>,
  opts: { user?: string; volume?: string } = {},
): Promise<Started> {
  const name = `${PREFIX}-${process.pid}-${++seq}`;
  const args = ['run', '-d', '--name', name, '--network', 'host', '-e', `PORT=${port}`];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  if (opts.user) args.push('--user', opts.user);
  if (opts.volume) args.push('-v', opts.volume);
  const t0 = performance.now();
  await podmanOk([...args, IMAGE]);
  return { name, port, t0 };
}

/** Milliseconds from `podman run` until `path` answers 200; throws with the container's log otherwise. */
export async function waitReady(c: Started, path = '/health/ready', timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${c.port}${path}`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return performance.now() - c.t0;
    if ((await state(c.name)).status === 'exited') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${c.name}: ${path} never answered 200\n${await logs(c.name)}`);
}

export async function state(name: string): Promise<{ status: string; exitCode: number }> {
  const out = await podmanOk(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]);
  const [status, code] = out.split(' ');
  return { status, exitCode: Number(code) };
}

export async function logs(name: string): Promise<string> {
  const r = await podman(['logs', name]);
  return r.stdout + r.stderr;
}

/** `podman stop` (SIGTERM, SIGKILL after `graceS`): how long it took and the exit code (137 = killed). */
export async function stopContainer(name: string, graceS = 30): Promise<{ ms: number; exitCode: number }> {
  const t0 = performance.now();
  await podmanOk(['stop', '-t', String(graceS), name]);
  const ms = performance.now() - t0;
  return { ms, exitCode: (await state(name)).exitCode };
}

/** Every container and volume this run made. */
export async function cleanUp(volumes: string[]): Promise<void> {
  const names = await podmanOk([
    'ps',
    '-a',
    '--filter',
    `name=${PREFIX}-${process.pid}-`,
    '--format',
    '{{.Names}}',
  ]);
  for (const n of names.split('\n').filter(Boolean)) await podman(['rm', '-f', '-t', '0', n]);
  for (const v of volumes) await podman(['volume', 'rm', '-f', v]);
}
