import type { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { createTestApp } from '../support/test-app';
import { testEnv } from '../support/test-env';

const RULES = resolve(__dirname, '../../deploy/prometheus/alerts.yaml');

/** `name{label="v",…}` selectors of every `expr:` line of the rules file. */
function selectors(): { metric: string; labels: string[]; expr: string }[] {
  const exprs = readFileSync(RULES, 'utf8')
    .split('\n')
    .filter((l) => /^\s+expr:/.test(l))
    .map((l) => l.replace(/^\s+expr:\s*/, ''));
  expect(exprs.length).toBeGreaterThan(5);
  return exprs.flatMap((expr) =>
    [...expr.matchAll(/([a-z_][a-z0-9_]*)\{([^}]*)\}/g)].map((m) => ({
      metric: m[1],
      labels: [...m[2].matchAll(/([a-z_][a-z0-9_]*)\s*(=~|!=|=)/g)].map((l) => l[1]),
      expr,
    })),
  );
}

let db: TestDatabase;
let fake: FakeTelegram;
let app: INestApplication;
let exposition = '';

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await new FakeTelegram({ token: testEnv().BOT_TOKEN! }).start();
  ({ app } = await createTestApp({
    databaseUrl: db.url,
    env: { TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_POLL_TIMEOUT_S: '1', TELEGRAM_POLL_MARGIN_MS: '1000' },
    imports: [TelegramModule, WatchdogModule],
  }));
  await app.listen(0, '127.0.0.1');
  const url = `${await app.getUrl()}/metrics`.replace('[::1]', '127.0.0.1');
  // The row gauges and loop-lag quantiles appear after the watchdog's first refresh.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    exposition = await (await fetch(url)).text();
    if (/^app_rows\{/m.test(exposition) && /^event_loop_lag_seconds\{/m.test(exposition)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
});
afterAll(async () => {
  await app?.close();
  await fake?.stop();
  await db?.drop();
});

describe('deploy/prometheus/alerts.yaml', () => {
  it('uses only metrics the app exports, with label names they carry', () => {
    const declared = new Map<string, string>();
    for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) declared.set(m[1], m[2]);
    for (const s of selectors()) {
      const base = s.metric.replace(/_(count|sum|bucket)$/, '');
      const type = declared.get(s.metric) ?? declared.get(base);
      expect(type, `${s.metric} in: ${s.expr}`).toBeDefined();
      if (s.metric !== base) expect(type, `${s.metric} is a histogram series`).toBe('histogram');
      const labelled = new Set(
        [...exposition.matchAll(new RegExp(`^${s.metric}\\{([^}]*)\\}`, 'gm'))].flatMap((m) =>
          [...m[1].matchAll(/([a-z_][a-z0-9_]*)="/g)].map((l) => l[1]),
        ),
      );
      // A metric without series yet (a job that has not run) still has to be declared above.
      if (labelled.size > 0)
        for (const l of s.labels)
          expect(labelled.has(l), `${s.metric} has no label ${l} (${s.expr})`).toBe(true);
    }
  });

  it('never groups by `job`, which Prometheus reserves for the scrape job', () => {
    expect(readFileSync(RULES, 'utf8')).not.toMatch(/by \(job\)|\{job=|\$labels\.job\b/);
    expect(exposition).not.toMatch(/^[a-z_]+\{[^}]*\bjob="/m);
  });
});
