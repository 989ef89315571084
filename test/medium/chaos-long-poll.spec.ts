import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest } from '../support/test-bed';
import { observeClasses, startWatchdogApp, until, type WatchdogApp } from '../support/watchdog-app';

let db: TestDatabase;
let fake: FakeTelegram;
let w: WatchdogApp | undefined;

testBedPerTest({ started: (s) => ({ db, telegram: fake } = s), apps: () => [w?.app] });

// Long-poll timeout 2 s, margin 8 s: Telegram would answer within 2 s, our own HTTP deadline cuts at 10 s.
// The watchdog names class A at 2 s + 2 s allowance and aborts the poll well before that backstop.
const LONG_POLL_MS = 2_000;
const DEADLINE_MS = 10_000;

describe('chaos A: getUpdates blackholed', () => {
  it('reports class A once, aborts the hung poll before its HTTP deadline and processes every update once', async () => {
    fake.fault('getUpdates', { kind: 'hang' });
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      env: {
        TELEGRAM_POLL_TIMEOUT_S: String(LONG_POLL_MS / 1000),
        TELEGRAM_POLL_MARGIN_MS: String(DEADLINE_MS - LONG_POLL_MS),
        WATCHDOG_ACTION: 'recover',
      },
    });
    const seen = observeClasses(w, 0);
    await until(() => fake.requests.some((r) => r.method === 'getUpdates'), 10_000, 'first getUpdates');
    const hungAt = fake.requests.find((r) => r.method === 'getUpdates')!.at;
    const ids = [1, 2, 3, 4, 5].map((i) => fake.userMessage({ id: 700 + i }, `during the hang ${i}`));

    await until(() => w!.handler.done.length === ids.length, 20_000, 'every update processed');
    const recoveredAt = Date.now();
    await until(() => seen.health.has('A'), 5_000, 'class A on /health/live');
    await seen.stop();

    const detectedMs = seen.health.get('A')! - hungAt;
    console.info(`chaos A: detected in ${detectedMs} ms, recovered in ${recoveredAt - hungAt} ms`);
    // Detection: long poll + allowance (4 s) + one tick, with a generous margin for a loaded machine.
    expect(detectedMs).toBeGreaterThanOrEqual(LONG_POLL_MS);
    expect(detectedMs).toBeLessThan(LONG_POLL_MS + 2_000 + 4_000);
    expect(seen.metric.has('A')).toBe(true);
    // Exactly one log line for the change into A (and one back to healthy), with the evidence.
    const lines = w.logs.matching(/^freeze_class=A /);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/getUpdates in flight for \d+ ms; Telegram answers within 2000 ms/);
    // The watchdog, not the transport's own deadline, ended the hang: no "no answer within 10000 ms" error.
    expect(w.logs.matching(/watchdog recovery for class A: aborted the hung getUpdates/)).toHaveLength(1);
    expect(w.logs.matching(/no answer within 10000 ms/)).toHaveLength(0);
    expect(recoveredAt - hungAt).toBeLessThan(DEADLINE_MS + 5_000);
    const metrics = (await w.get('/metrics')).text;
    expect(metrics).toMatch(/^watchdog_recoveries_total\{class="A"\} 1$/m);
    // Zero loss, no duplicates.
    expect(w.handler.done.map((d) => d.updateId).sort()).toEqual(ids);
    await until(() => fake.pendingCount === 0, 10_000, 'offset confirmed');
    await until(() => w!.watchdog.status().class === 'healthy', 5_000, 'healthy again');
  });
});
