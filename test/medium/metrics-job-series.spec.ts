import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { JOB_NAMES } from '../../src/jobs/job-schedules';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { testEnv } from '../support/test-env';

let db: TestDatabase;
let fake: FakeTelegram;
let close: () => Promise<void>;
let firstScrape = '';
let jobs: { name: string; enabled: boolean; intervalMs: number }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
  const { app } = await createTestApp({
    databaseUrl: db.url,
    env: {
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '1',
      TELEGRAM_POLL_MARGIN_MS: '1000',
      JOBS_ENABLED: 'true',
      // Every job's first run is far away: the series below exist before any iteration.
      JOB_INTERVALS: Object.values(JOB_NAMES)
        .map((n) => `${n}=999999999`)
        .join(','),
      JOBS_DISABLED: JOB_NAMES.reminders,
      JOBS_WAKE_ON_COMMIT: 'false',
    },
    imports: [TelegramModule, WatchdogModule],
  });
  await app.listen(0, '127.0.0.1');
  const url = `${await app.getUrl()}/metrics`.replace('[::1]', '127.0.0.1');
  firstScrape = await (await fetch(url)).text();
  jobs = app.get(JobRunnerService).status();
  close = () => app.close();
});
afterAll(async () => {
  await close?.();
  await fake?.stop();
  await db?.drop();
});

describe('job metrics at start', () => {
  it('shows every registered job’s series in the first scrape, before any iteration', () => {
    const expected = Object.values(JOB_NAMES).filter((n) => n !== JOB_NAMES.cryptoPayWatcher);
    expect(jobs.map((j) => j.name).sort()).toEqual([...expected].sort());
    for (const job of jobs) {
      expect(firstScrape, job.name).toMatch(
        new RegExp(`^job_duration_seconds_count\\{job_name="${job.name}",outcome="ok"\\} 0$`, 'm'),
      );
      expect(firstScrape, job.name).toMatch(
        new RegExp(`^job_duration_seconds_count\\{job_name="${job.name}",outcome="failed"\\} 0$`, 'm'),
      );
      const last = new RegExp(`^job_last_success_timestamp_seconds\\{job_name="${job.name}"\\} (\\S+)$`, 'm');
      const value = Number(last.exec(firstScrape)?.[1]);
      // Registration time while enabled and not run yet; 0 where the job is disabled.
      if (job.enabled) expect(value).toBeGreaterThan(Date.now() / 1000 - 600);
      else expect(value).toBe(0);
      expect(firstScrape).toMatch(
        new RegExp(`^job_interval_seconds\\{job_name="${job.name}"\\} ${job.intervalMs / 1000}$`, 'm'),
      );
    }
    expect(jobs.find((j) => j.name === JOB_NAMES.reminders)?.enabled).toBe(false);
  });

  it('declares payment_to_key_seconds and update_to_reply_seconds as histograms', () => {
    expect(firstScrape).toMatch(/^# TYPE payment_to_key_seconds histogram$/m);
    expect(firstScrape).toMatch(/^# TYPE update_to_reply_seconds histogram$/m);
  });
});
