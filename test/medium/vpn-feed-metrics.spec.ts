import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { WatchdogModule } from '../../src/watchdog/watchdog.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { insertSubscription } from '../support/v2ray-fixtures';

describe('feed metrics', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: { XRAY_API_ADDRESS: '127.0.0.1:1', VPN_PUBLIC_HOST: 'vpn.example.com', RATE_LIMIT_SUB: '10000' },
      imports: [VpnModule, WatchdogModule],
    }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  const counter = (exposition: string, labels: string) =>
    Number(new RegExp(`^vpn_feed_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(exposition)?.[1] ?? 0);

  it('counts feed answers by format and by why they carried no keys', async () => {
    const dbs = app.get(DbService);
    const active = await insertSubscription(dbs);
    const expired = await insertSubscription(dbs, { status: 'expired' });
    await get(`/sub/${active.subToken}`);
    await get(`/sub/${active.subToken}`, { 'user-agent': 'mihomo/1.19.3' });
    await get(`/sub/${active.subToken}`, { 'user-agent': 'mihomo/1.19.3' });
    await get(`/sub/${expired.subToken}?format=singbox`);
    await get(`/sub/${active.subToken}?format=xml`);
    const metrics = await (await get('/metrics')).text();
    expect(counter(metrics, 'format="base64",blocked="none"')).toBe(1);
    expect(counter(metrics, 'format="clash",blocked="none"')).toBe(2);
    expect(counter(metrics, 'format="singbox",blocked="expired"')).toBe(1);
    // A refused request is not a feed answer.
    expect(metrics).not.toMatch(/vpn_feed_requests_total\{format="xml"/);
  });
});
