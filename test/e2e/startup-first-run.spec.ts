import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, waitFor, type AppProcess } from '../support/app-process';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

let telegram: FakeTelegram;
const running: AppProcess[] = [];
const cleanup: string[] = [];

beforeAll(async () => {
  telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
});
afterAll(async () => {
  await Promise.all(running.map((a) => a.stop('SIGKILL')));
  await telegram?.stop();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function launch(env: Record<string, string | undefined>) {
  const app = await startApp({ env: { TELEGRAM_API_ROOT: telegram.apiRoot, ...env } });
  running.push(app);
  return app;
}

describe('first run with the embedded database in a private (0700) directory', () => {
  it('stops at once on SIGTERM during start-up, then starts ready on the same data with JSON-only logs', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'vpnbot-first-run-'));
    cleanup.push(parent);
    expect((await stat(parent)).mode & 0o777).toBe(0o700);
    const env = {
      DATABASE_URL: undefined,
      DATA_DIR: join(parent, 'app', '.data'),
      NODE_ENV: 'production',
      ALLOW_EMBEDDED_DB: 'true',
      METRICS_BASIC_AUTH: `prometheus:${'9a'.repeat(16)}`,
      LOG_FORMAT: undefined,
      LOG_LEVEL: 'info',
    };

    const early = await launch(env);
    await new Promise((r) => setTimeout(r, 500));
    const stopAt = Date.now();
    expect(await early.stop()).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(8_000);

    const app = await launch(env);
    await waitFor(`${app.baseUrl}/health/ready`, { timeoutMs: 60_000 });
    const moved = /its cluster lives in (\S+)/.exec(app.output())?.[1];
    if (moved) cleanup.push(dirname(moved));
    const cluster = moved ?? join(env.DATA_DIR, 'postgres');
    expect(app.output()).toContain(`with data in ${cluster}`);
    expect(await app.stop()).toBe(0);
    expect(postgresRunningOn(cluster)).toBe(false);

    const lines = (early.output() + app.output()).split('\n').filter(Boolean);
    const notJson = lines.filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    expect((await stat(parent)).mode & 0o777).toBe(0o700);
  }, 180_000);
});

function postgresRunningOn(dir: string): boolean {
  try {
    return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(dir);
  } catch {
    return false;
  }
}
