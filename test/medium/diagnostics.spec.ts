import type { INestApplication } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { CapturedLogger } from '../support/captured-logger';
import type { TestDatabase } from '../support/database';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { freshDatabaseAndTelegramPerTest } from '../support/per-test';
import { createTestApp } from '../support/test-app';

let db: TestDatabase;
let fake: FakeTelegram;
let app: INestApplication | undefined;

freshDatabaseAndTelegramPerTest({
  started: (s) => ({ db, fake } = s),
  cleanup: async () => {
    await app?.close();
    app = undefined;
  },
});

async function runBot(diagnostics: boolean): Promise<CapturedLogger> {
  const logger = new CapturedLogger();
  ({ app } = await createTestApp({
    databaseUrl: db.url,
    env: {
      DIAGNOSTICS: String(diagnostics),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '1',
      TELEGRAM_POLL_MARGIN_MS: '1000',
    },
    imports: [TelegramModule, WatchdogModule],
    logger,
  }));
  fake.userMessage({ id: 4242, firstName: 'Dee' }, '/start');
  const deadline = Date.now() + 15_000;
  while (fake.sentTo(4242, 'sendMessage').length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(fake.sentTo(4242, 'sendMessage').length).toBeGreaterThan(0);
  return logger;
}

const DIAGNOSTIC_LINES = /request_start|request_end|getUpdates batch|pool (acquire|release)|active handles/;

describe('DIAGNOSTICS switch', () => {
  it('logs Bot API requests with offsets and durations, batch sizes, pool use by caller and handle counts', async () => {
    const log = await runBot(true);
    expect(log.matching(/^request_start id=\d+ method=getUpdates offset=\d+$/).length).toBeGreaterThan(0);
    expect(
      log.matching(/^request_end id=\d+ method=getUpdates offset=\d+ ms=\d+ ok=true$/).length,
    ).toBeGreaterThan(0);
    expect(log.matching(/^request_end id=\d+ method=sendMessage ms=\d+ ok=true$/).length).toBeGreaterThan(0);
    expect(log.matching(/^getUpdates batch size=1 max_update_id=\d+ offset=\d+$/).length).toBeGreaterThan(0);
    expect(
      log.matching(/^pool acquire caller=telegram\.poller\S* wait_ms=[\d.]+ ok=true busy=\d+\/\d+/).length,
    ).toBeGreaterThan(0);
    expect(log.matching(/^pool release caller=\S+ hold_ms=[\d.]+ busy=/).length).toBeGreaterThan(0);
    expect(log.matching(/^active handles \{.*\}$/).length).toBeGreaterThan(0);
  });

  it('logs none of it when off (the default)', async () => {
    const log = await runBot(false);
    expect(log.matching(DIAGNOSTIC_LINES)).toEqual([]);
  });
});
