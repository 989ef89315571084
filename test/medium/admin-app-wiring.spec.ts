import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram, type SentCall } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

const admin = { id: 920_001 };
const user = { id: 920_002 };
let telegram: FakeTelegram;
let db: TestDatabase;
let app: INestApplication;

// The application module as main.ts builds it: proves nestjs-telegraf discovers the admin handlers there
// and that they sit behind the user middleware (ban gate) and next to the user fallback.
beforeAll(async () => {
  telegram = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
  db = await createTestDatabase();
  const config = AppConfig.fromEnv(
    testEnv({
      DATABASE_URL: db.url,
      JOBS_ENABLED: 'false',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '1',
      TELEGRAM_POLL_MARGIN_MS: '1000',
      ADMIN_IDS: String(admin.id),
      WATCHDOG_ACTION: 'report',
      WATCHDOG_LOOP_STALL_MS: '600000',
    }),
  );
  app = await NestFactory.create(
    AppModule.forRoot({ config, databaseUrl: db.url, logger: pino({ level: 'silent' }) }),
    { logger: false },
  );
  await app.init();
});
afterAll(async () => {
  await app?.close();
  await telegram?.stop();
  await db?.drop();
});

async function say(from: { id: number }, text: string): Promise<SentCall> {
  const before = telegram.sentTo(from.id, 'sendMessage').length;
  telegram.userMessage(from, text);
  const end = Date.now() + 15_000;
  for (;;) {
    const reply = telegram.sentTo(from.id, 'sendMessage')[before];
    if (reply) return reply;
    if (Date.now() > end) throw new Error(`no reply to ${text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('admin module in the application', () => {
  it('answers /admin for an admin, and /admin from a user like any unknown command', async () => {
    expect(String((await say(admin, '/admin')).params.text)).toContain('🛠 Admin');
    await say(user, '/start');
    const unknown = await say(user, '/nosuchcommand');
    const reply = await say(user, '/admin');
    expect(reply.params.text).toBe(unknown.params.text);
    expect(String(reply.params.text)).not.toContain('Admin');
  });
});
