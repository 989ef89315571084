import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, waitFor, type AppProcess } from '../support/app-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

let db: TestDatabase;
let telegram: FakeTelegram;
let dir: string;
const running: AppProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
  dir = await mkdtemp(join(tmpdir(), 'locales-e2e-'));
});
afterAll(async () => {
  await Promise.all(running.map((a) => a.stop('SIGKILL')));
  await telegram?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function launch(env: Record<string, string>) {
  const app = await startApp({ env: { TELEGRAM_API_ROOT: telegram.apiRoot, DATABASE_URL: db.url, ...env } });
  running.push(app);
  return app;
}

describe('operator text overrides at start-up (LOCALES_DIR)', () => {
  it('refuses to start on a bad override, naming the file and the key, before touching the database', async () => {
    await writeFile(join(dir, 'ru.json'), JSON.stringify({ menu: { balance: 'Баланс' } }));
    const app = await launch({ LOCALES_DIR: dir, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(await app.exited).toBe(2);
    expect(app.output()).toContain('ru.json: menu.balance: missing placeholder {{balance}}');
    expect(app.output()).not.toMatch(/cannot use the database/);
  });

  it('answers users with the overridden text and the shipped one elsewhere', async () => {
    await writeFile(join(dir, 'ru.json'), JSON.stringify({}));
    await writeFile(join(dir, 'en.json'), JSON.stringify({ 'menu.intro': 'Acme VPN, right here.' }));
    const app = await launch({ LOCALES_DIR: dir });
    await waitFor(`${app.baseUrl}/health/ready`);
    telegram.userMessage({ id: 777 }, '/start');
    await expect.poll(() => telegram.sentTo(777, 'sendMessage').length, { timeout: 10_000 }).toBe(1);
    expect(telegram.sentTo(777, 'sendMessage')[0].params.text).toMatch(
      /^👋 Welcome, User!\nAcme VPN, right here\.\n\n⚪️ No active subscription/,
    );
    expect(await app.stop()).toBe(0);
  });
});
