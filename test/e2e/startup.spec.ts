import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, waitFor, type AppProcess } from '../support/app-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

let db: TestDatabase;
let telegram: FakeTelegram;
const running: AppProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
});
afterAll(async () => {
  await Promise.all(running.map((a) => a.stop('SIGKILL')));
  await telegram?.stop();
  await db?.drop();
});

async function launch(opts: Parameters<typeof startApp>[0] = {}) {
  const app = await startApp({ ...opts, env: { TELEGRAM_API_ROOT: telegram.apiRoot, ...opts.env } });
  running.push(app);
  return app;
}

describe('application start-up and shutdown', () => {
  it('becomes ready once the database answers and every migration is applied', async () => {
    const app = await launch({ env: { DATABASE_URL: db.url } });
    const body = (await waitFor(`${app.baseUrl}/health/ready`)) as {
      details: Record<string, { status: string }>;
    };
    expect(body.details.database.status).toBe('up');
    expect(body.details.lifecycle.status).toBe('up');
    expect(body.details.telegram.status).toBe('up');
    // The bot answers a user through the whole path: poll → inbox → dispatcher → telegraf → sender.
    telegram.userMessage({ id: 555 }, '/start');
    await expect.poll(() => telegram.sentTo(555, 'sendMessage').length, { timeout: 10_000 }).toBe(1);
    expect(telegram.sentTo(555, 'sendMessage')[0].params.text).toMatch(/^👋 Welcome/);
    const live = await fetch(`${app.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await app.stop()).toBe(0);
  });

  it('refuses to start with bad configuration and lists every problem in one message', async () => {
    // Production: elsewhere a missing BOT_TOKEN starts the demo instead.
    const app = await launch({
      env: {
        NODE_ENV: 'production',
        ALLOW_EMBEDDED_DB: 'true',
        BOT_TOKEN: undefined,
        PORT: 'http',
        DB_POOL_SIZE: '0',
      },
    });
    expect(await app.exited).toBe(2);
    const out = app.output();
    expect(out).toMatch(/Invalid configuration \(3 problems\)/);
    for (const key of ['BOT_TOKEN', 'PORT', 'DB_POOL_SIZE']) expect(out).toContain(`${key}:`);
  });

  it('fails fast with a clear message when the database cannot be reached', async () => {
    const started = Date.now();
    const app = await launch({ env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' } });
    expect(await app.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(app.output()).toMatch(/cannot use the database at 127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  });

  it('keeps answering its liveness probe while nobody reads its stdout', async () => {
    const app = await launch({ env: { DATABASE_URL: db.url, LOG_LEVEL: 'info' }, stdout: 'unread' });
    await waitFor(`${app.baseUrl}/health/live`);
    // Unknown routes are logged (warn) with request details: a few hundred of them fill the pipe buffer.
    const junk = 'x'.repeat(2_000);
    for (let i = 0; i < 100; i++) {
      await Promise.all(
        Array.from({ length: 5 }, () =>
          fetch(`${app.baseUrl}/nope?pad=${junk}`).then((r) => r.arrayBuffer()),
        ),
      );
    }
    const t0 = performance.now();
    const res = await fetch(`${app.baseUrl}/health/live`, { signal: AbortSignal.timeout(5_000) });
    const tookMs = performance.now() - t0;
    expect(res.status).toBe(200);
    // A probe's own timeout is seconds; a blocked loop would never answer at all.
    expect(tookMs).toBeLessThan(2_000);
    // Prove the pipe really was full: far more than a pipe buffer (64 KiB) is waiting to be read.
    let pending = 0;
    app.proc.stdout!.on('data', (d: Buffer) => (pending += d.length));
    await new Promise((r) => setTimeout(r, 500));
    expect(pending).toBeGreaterThan(64 * 1024);
    expect(await app.stop()).toBe(0);
  });

  it('runs an embedded PostgreSQL when DATABASE_URL is unset, keeps its data, and stops it on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vpnbot-e2e-data-'));
    await chmod(dataDir, 0o755);
    try {
      const env = { DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_LEVEL: 'info' };
      const first = await launch({ env });
      await waitFor(`${first.baseUrl}/health/ready`, { timeoutMs: 60_000 });
      expect(first.output()).toContain(
        `starting embedded PostgreSQL with data in ${join(dataDir, 'postgres')}`,
      );
      expect(first.output()).toContain('initialising embedded PostgreSQL');
      expect(await first.stop()).toBe(0);
      expect(postgresRunningOn(dataDir)).toBe(false);

      const second = await launch({ env });
      await waitFor(`${second.baseUrl}/health/ready`, { timeoutMs: 60_000 });
      expect(second.output()).not.toContain('initialising embedded PostgreSQL');
      expect(second.output()).not.toContain('migrations applied');
      expect(await second.stop()).toBe(0);
      expect(postgresRunningOn(dataDir)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

function postgresRunningOn(dataDir: string): boolean {
  try {
    return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(join(dataDir, 'postgres'));
  } catch {
    return false;
  }
}
