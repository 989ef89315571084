import { describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import type { TestDatabase } from '../support/database';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest } from '../support/test-bed';
import { startWatchdogApp, until, type WatchdogApp } from '../support/watchdog-app';

let db: TestDatabase;
let fake: FakeTelegram;
let w: WatchdogApp | undefined;

testBedPerTest({ started: (s) => ({ db, telegram: fake } = s), apps: () => [w?.app] });

const STALL_MS = 3_000;
const stuckChat = { id: 901 };
const others = [{ id: 902 }, { id: 903 }, { id: 904 }];

describe('chaos B: a handler that never returns in one chat', () => {
  // The dispatcher's own defence (abandon a handler 1 s after its deadline) is covered in
  // telegram-transports.spec.ts. Here the handler deadline (60 s) is far beyond WATCHDOG_STALL_MS (3 s): the
  // case where that defence did not act, so the wedge is the watchdog's to find and undo.
  it('keeps other chats flowing, reports the stuck lane as B and recovers it by restarting the dispatcher', async () => {
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      env: {
        TELEGRAM_POLL_TIMEOUT_S: '1',
        TELEGRAM_POLL_MARGIN_MS: '2000',
        TELEGRAM_HANDLER_TIMEOUT_MS: '60000',
        WATCHDOG_STALL_MS: String(STALL_MS),
        WATCHDOG_ACTION: 'recover',
      },
    });
    const handler = w.handler;
    handler.behaviour = async (m, signal) => {
      // The first attempt of "wedge" never returns and ignores its signal; a retry succeeds.
      if (m.text === 'wedge' && m.attempt === 1) return new Promise(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
      if (signal.aborted) throw signal.reason;
    };

    const wedge = fake.userMessage(stuckChat, 'wedge');
    const behind = fake.userMessage(stuckChat, 'queued behind the wedge');
    await until(() => handler.started.has(wedge), 10_000, 'wedge started');
    const wedgedAt = Date.now();

    // Other chats keep flowing while the lane is stuck: a message every 200 ms for 2.5 s.
    const flowing: number[] = [];
    for (let i = 0; i < 12; i++) {
      flowing.push(fake.userMessage(others[i % others.length], `other ${i}`));
      await new Promise((r) => setTimeout(r, 200));
    }
    await until(() => flowing.every((id) => handler.done.some((d) => d.updateId === id)), 10_000, 'others');
    expect(handler.done.some((d) => d.updateId === wedge || d.updateId === behind)).toBe(false);

    await until(() => w!.logs.matching(/^freeze_class=B /).length > 0, STALL_MS + 8_000, 'class B');
    const detectedMs = Date.now() - wedgedAt;
    const [line] = w.logs.matching(/^freeze_class=B /);
    expect(line).toMatch(new RegExp(`chat ${stuckChat.id} stuck: update ${wedge} has been in its handler`));

    // Recovery: the dispatcher restarts, the wedged update goes back to the inbox and its retry succeeds,
    // then the update queued behind it runs: the lane is unstuck, in order.
    await until(() => handler.done.some((d) => d.updateId === behind), 15_000, 'lane recovered');
    const recoveredMs = Date.now() - wedgedAt;
    console.info(`chaos B: detected in ~${detectedMs} ms, lane recovered in ${recoveredMs} ms`);
    expect(detectedMs).toBeLessThan(STALL_MS + 6_000);
    expect(
      w.logs.matching(/watchdog recovery for class B: restarted the dispatcher; abandoned 1 stuck handler/),
    ).toHaveLength(1);
    expect(w.dispatcher.status().generation).toBe(1);
    const lane = handler.done.filter((d) => d.chat === stuckChat.id).map((d) => d.updateId);
    expect(lane).toEqual([wedge, behind]);

    // Zero loss, each once; the inbox agrees (the wedge took two attempts).
    const all = [wedge, behind, ...flowing].sort();
    expect(handler.done.map((d) => d.updateId).sort()).toEqual(all);
    const rows = await w.app
      .get(DbService)
      .query<{ update_id: string; state: string; attempts: number }>(
        't',
        'SELECT update_id, state, attempts FROM telegram_updates ORDER BY update_id',
      );
    expect(rows.every((r) => r.state === 'done')).toBe(true);
    expect(rows.find((r) => Number(r.update_id) === wedge)?.attempts).toBe(2);
    await until(() => w!.watchdog.status().class === 'healthy', 5_000, 'healthy again');
    expect((await w.get('/metrics')).text).toMatch(/^watchdog_recoveries_total\{class="B"\} 1$/m);
  });
});
