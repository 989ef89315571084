import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { PaymentsModule } from '../../src/payments/payments.module';
import { VpnModule } from '../../src/vpn/vpn.module';
import type { TestDatabase } from '../support/database';
import type { FakeTelegram } from '../../src/demo/fake-telegram';
import { testBedPerTest } from '../support/test-bed';
import { insertSubscription } from '../support/v2ray-fixtures';
import { startWatchdogApp, until, type WatchdogApp } from '../support/watchdog-app';

let db: TestDatabase;
let fake: FakeTelegram;
let w: WatchdogApp | undefined;

testBedPerTest({ started: (s) => ({ db, telegram: fake } = s), apps: () => [w?.app] });

async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: inject('pgAdminUrl') });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe('public endpoints under abuse', () => {
  it('bounds a flood of /sub requests from one address while every Telegram update is handled', async () => {
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      imports: [PaymentsModule, VpnModule],
      env: {
        TELEGRAM_POLL_TIMEOUT_S: '1',
        TELEGRAM_POLL_MARGIN_MS: '2000',
        JOBS_ENABLED: 'false',
        VPN_PUBLIC_HOST: 'vpn.example.com',
        RATE_LIMIT_SUB: '20',
      },
    });
    const dbs = w.app.get(DbService);
    w.handler.behaviour = async (m) => {
      await dbs.query('telegram.update/users.touch', 'SELECT pg_sleep(0.02), $1::bigint', [m.chat]);
    };
    const sub = await insertSubscription(dbs);
    const started = performance.now();
    const updates = Array.from({ length: 30 }, (_, i) => fake.userMessage({ id: 900 + i }, `hi ${i}`));
    const statuses: number[] = [];
    const flood = Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 15; i++) {
        const res = await fetch(`${w!.url}/sub/${sub.subToken}`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    });
    await Promise.all(flood);
    await until(
      () => updates.every((id) => w!.handler.done.some((d) => d.updateId === id)),
      15_000,
      'updates',
    );
    const tookMs = performance.now() - started;

    expect(statuses).toHaveLength(300);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(280);
    expect(new Set(w.handler.done.map((d) => d.updateId)).size).toBe(30);
    expect(tookMs).toBeLessThan(15_000);
  });

  it('keys the limit on X-Forwarded-For only when the peer is a trusted proxy', async () => {
    const statuses = async (ips: string[]) => {
      const out: number[] = [];
      for (const ip of ips) {
        const res = await fetch(`${w!.url}/sub/unknown-token`, { headers: { 'x-forwarded-for': ip } });
        await res.arrayBuffer();
        out.push(res.status);
      }
      return out;
    };
    const spoofed = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      imports: [PaymentsModule, VpnModule],
      env: { JOBS_ENABLED: 'false', RATE_LIMIT_SUB: '2' },
    });
    // Not trusted: a forged header changes nothing, the peer's own limit applies.
    expect(await statuses(spoofed)).toEqual([404, 404, 429, 429]);
    await w.app.close();
    w = await startWatchdogApp({
      databaseUrl: db.url,
      fake,
      imports: [PaymentsModule, VpnModule],
      env: { JOBS_ENABLED: 'false', RATE_LIMIT_SUB: '2', TRUSTED_PROXY_CIDRS: 'loopback' },
    });
    // Behind a trusted proxy every client has its own limit.
    expect(await statuses([...spoofed, spoofed[0], spoofed[0]])).toEqual([404, 404, 404, 404, 404, 429]);
  });

  it('answers readiness without the database driver error text', async () => {
    w = await startWatchdogApp({ databaseUrl: db.url, fake, env: { JOBS_ENABLED: 'false' } });
    expect((await w.get('/health/ready')).status).not.toBe(404);
    await admin(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS false`);
    try {
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`);
      await new Promise((r) => setTimeout(r, 1_100)); // past the readiness cache
      const ready = await w.get('/health/ready');
      expect(ready.status).toBe(503);
      const details = (ready.body as { details: { database: { status: string; error: string } } }).details;
      expect(details.database).toMatchObject({ status: 'down', error: 'query failed' });
      expect(ready.text).not.toContain(db.name);
      expect(ready.text).not.toMatch(/accepting connections|terminat/i);
    } finally {
      await admin(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`);
    }
  });
});
