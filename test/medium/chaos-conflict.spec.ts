import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest } from '../support/test-bed';
import { testEnv } from '../support/test-env';
import { startWatchdogApp, until, type WatchdogApp } from '../support/watchdog-app';

const TOKEN = testEnv().BOT_TOKEN!;
let db: TestDatabase;
let fake: FakeTelegram;
let w: WatchdogApp | undefined;
let dataDir: string;

testBedPerTest({ started: (s) => ({ db, telegram: fake } = s), apps: () => [w?.app] });
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vpnbot-chaos-d-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Another process long-polling with the same token (an old deployment, a developer's laptop). */
function secondConsumer(apiRoot: string) {
  let running = true;
  const loop = (async () => {
    while (running) {
      await fetch(`${apiRoot}/bot${TOKEN}/getUpdates?timeout=1`, { signal: AbortSignal.timeout(3_000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe('chaos D: a second consumer causing 409s', () => {
  it('reports class D, never exits even under WATCHDOG_ACTION=exit, and resumes when the other consumer leaves', async () => {
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      env: {
        TELEGRAM_POLL_TIMEOUT_S: '1',
        TELEGRAM_POLL_MARGIN_MS: '2000',
        WATCHDOG_STALL_MS: '3000',
        WATCHDOG_ACTION: 'exit',
        WATCHDOG_EXIT_AFTER_MS: '1000',
        DATA_DIR: dataDir,
      },
    });
    const exits: number[] = [];
    w.watchdog.exit = (code) => exits.push(code);
    await until(() => fake.requests.some((r) => r.method === 'getUpdates'), 10_000, 'polling');

    const other = secondConsumer(fake.apiRoot);
    const startedAt = Date.now();
    try {
      await until(() => w!.logs.matching(/^freeze_class=D /).length > 0, 20_000, 'class D');
      const detectedMs = Date.now() - startedAt;
      console.info(`chaos D: detected in ${detectedMs} ms`);
      // First 409 after at most one poll (1 s), then the 3 s conflict threshold and a tick; generous margin.
      expect(detectedMs).toBeLessThan(1_000 + 3_000 + 6_000);
      expect(w.logs.matching(/^freeze_class=D /)[0]).toMatch(
        /in conflict \(409\) for \d+ ms: another consumer/,
      );
      const live = await w.get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ details: { watchdog: { class: 'D' } } });
      expect((await w.get('/metrics')).text).toMatch(/^watchdog_freeze_class\{class="D"\} 1$/m);
      // Well past WATCHDOG_EXIT_AFTER_MS: still no exit — D is outside this process.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(w.watchdog.status()).toMatchObject({ class: 'D', lastAction: expect.stringMatching(/no exit/) });
    } finally {
      await other.stop();
    }
    expect(exits).toEqual([]);
    expect(existsSync(join(dataDir, 'watchdog-exits.json'))).toBe(false);

    // The other consumer is gone: polling recovers (after its 5–15 s backoff) and nothing sent from now is lost.
    const id = fake.userMessage({ id: 990 }, 'after the conflict');
    await until(() => w!.handler.done.some((d) => d.updateId === id), 25_000, 'update after conflict');
    await until(() => w!.watchdog.status().class === 'healthy', 5_000, 'healthy again');
    expect(exits).toEqual([]);
  }, 60_000);
});
