import { describe, expect, it } from 'vitest';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { CapturedLogger } from '../support/captured-logger';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest } from '../support/test-bed';

let fake: FakeTelegram;
const bed = testBedPerTest({ started: (s) => (fake = s.telegram) });

async function runBot(diagnostics: boolean): Promise<CapturedLogger> {
  const logger = new CapturedLogger();
  await bed.start({
    env: { DIAGNOSTICS: String(diagnostics) },
    imports: [TelegramModule, WatchdogModule],
    logger,
  });
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
