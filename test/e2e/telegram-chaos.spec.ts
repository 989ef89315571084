import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, waitFor, type AppProcess } from '../support/app-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

let db: TestDatabase;
let pg: Client;
let telegram: FakeTelegram;
const running: AppProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
});
afterAll(async () => {
  await Promise.all(running.map((a) => a.stop('SIGKILL')));
  await pg?.end();
  await telegram?.stop();
  await db?.drop();
});

async function launch(): Promise<AppProcess> {
  const app = await startApp({
    env: {
      DATABASE_URL: db.url,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '2',
      TELEGRAM_POLL_MARGIN_MS: '2000',
      // A claim is a lease of handler timeout + 5 s: an update whose process died is claimed again after it.
      TELEGRAM_HANDLER_TIMEOUT_MS: '3000',
    },
  });
  running.push(app);
  await waitFor(`${app.baseUrl}/health/live`).catch((e: Error) => {
    throw new Error(`${e.message}\n${app.output()}`);
  });
  return app;
}

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

const updateRow = async (id: number) =>
  (
    await pg.query<{ state: string; attempts: number }>(
      'SELECT state, attempts FROM telegram_updates WHERE update_id = $1',
      [id],
    )
  ).rows[0];

describe('process killed mid-update', () => {
  it('processes the interrupted /start after a restart, with its effects once', async () => {
    const victim = { id: 880_001, username: 'victim', firstName: 'Vic' };
    const control = { id: 880_002, username: 'control', firstName: 'Con' };
    const first = await launch();

    // The /start handler is in progress: its reply is on the wire and Telegram never answers it.
    telegram.fault('sendMessage', { kind: 'hang' });
    const updateId = telegram.userMessage(victim, '/start');
    await until(() => telegram.requests.some((r) => r.method === 'sendMessage'), 30_000);
    // Telegram has been told the update arrived (the next getUpdates confirmed it): it will not send it again,
    // so only the inbox can bring it back.
    await until(() => telegram.confirmedOffset > updateId, 10_000);
    expect(await updateRow(updateId)).toMatchObject({ state: 'processing', attempts: 1 });

    first.proc.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    telegram.clearFaults();

    const second = await launch();
    telegram.userMessage(control, '/start');
    await until(async () => (await updateRow(updateId))?.state === 'done', 45_000);
    await until(() => telegram.sentTo(control.id, 'sendMessage').length > 0, 15_000);
    // Let any stray duplicate surface before counting.
    await new Promise((r) => setTimeout(r, 2_000));

    expect(await updateRow(updateId)).toEqual({ state: 'done', attempts: 2 });
    // The victim got exactly what a user whose /start was never interrupted gets: the hung reply was never
    // delivered, the retried one was, once.
    expect(telegram.sentTo(victim.id, 'sendMessage').length).toBe(
      telegram.sentTo(control.id, 'sendMessage').length,
    );
    expect(telegram.sentTo(victim.id, 'sendMessage').length).toBeGreaterThan(0);
    const users = await pg.query<{ username: string; first_name: string }>(
      'SELECT username, first_name FROM users WHERE id = $1',
      [victim.id],
    );
    expect(users.rows).toEqual([{ username: 'victim', first_name: 'Vic' }]);
    // The restarted process said what it found left over instead of silently waiting for the claim to lapse.
    expect(second.output()).toMatch(
      /inbox recovery: \d+ unfinished update\(s\) queued, 1 claimed by an earlier/,
    );
  }, 120_000);
});
