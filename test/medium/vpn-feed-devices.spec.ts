import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { DevicesService, deviceKey } from '../../src/vpn/devices/devices.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { base64Links, headersOf } from '../support/feed-params';
import { createTestApp } from '../support/test-app';
import { insertSubscription, type SubscriptionRow } from '../support/v2ray-fixtures';

const PLANS = [
  { code: 'duo', days: 30, prices: { RUB: 100 }, devices: 2 },
  { code: 'free', days: 30, prices: { RUB: 100 } },
];

describe('device limit of the subscription feed', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let dbs: DbService;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: {
        XRAY_API_ADDRESS: '127.0.0.1:1',
        VPN_PUBLIC_HOST: 'vpn.example.com',
        PLANS: JSON.stringify(PLANS),
        // Every fetch here comes from 127.0.0.1: the per-IP limit is not under test.
        RATE_LIMIT_SUB: '10000',
      },
      imports: [SubscriptionsModule, VpnModule],
    }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    dbs = app.get(DbService);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const onPlan = async (plan: string) => {
    const sub = await insertSubscription(dbs);
    await dbs.query('test', `UPDATE subscriptions SET plan_code = $2 WHERE id = $1`, [sub.id, plan]);
    return sub;
  };
  const fetchAs = (sub: SubscriptionRow, headers: Record<string, string>) =>
    fetch(`${base}/sub/${sub.subToken}`, { headers, signal: AbortSignal.timeout(10_000) });
  const devicesOf = (sub: SubscriptionRow) =>
    dbs.query<{ hwid: string; device_os: string | null; device_model: string | null }>(
      'test',
      `SELECT hwid, device_os, device_model FROM subscription_devices WHERE subscription_id = $1 ORDER BY hwid`,
      [sub.id],
    );
  const linksFor = async (sub: SubscriptionRow, hwid: string) =>
    base64Links(await (await fetchAs(sub, { 'x-hwid': hwid })).text());

  it('registers a device with what it says about itself, once however often it refreshes', async () => {
    const sub = await onPlan('duo');
    const headers = {
      'x-hwid': 'phone-1',
      'x-device-os': 'Android',
      'x-ver-os': '14',
      'x-device-model': 'Pixel 8',
      'user-agent': 'Happ/1.63.1/android',
    };
    for (let i = 0; i < 3; i++) {
      const res = await fetchAs(sub, headers);
      expect(res.headers.get('x-hwid-active')).toBe('true');
      expect(res.headers.get('x-hwid-max-devices-reached')).toBeNull();
      expect(base64Links(await res.text())).toHaveLength(1);
    }
    expect(await devicesOf(sub)).toEqual([
      { hwid: 'phone-1', device_os: 'Android', device_model: 'Pixel 8' },
    ]);
  });

  it('gives a device beyond the limit an empty feed with the headers that say why, and keeps the others', async () => {
    const sub = await onPlan('duo');
    expect(await linksFor(sub, 'a')).toHaveLength(1);
    expect(await linksFor(sub, 'b')).toHaveLength(1);
    const third = await fetchAs(sub, { 'x-hwid': 'c' });
    expect(third.status).toBe(200);
    expect(headersOf(third)).toMatchObject({
      'x-hwid-active': 'true',
      'x-hwid-limit': 'true',
      'x-hwid-max-devices-reached': 'true',
      'x-subscription-status': 'device-limit',
    });
    expect(Buffer.from(third.headers.get('announce')!.slice(7), 'base64').toString()).toMatch(
      /Remove a device/,
    );
    expect(base64Links(await third.text())).toEqual([]);
    expect(await linksFor(sub, 'a')).toHaveLength(1);
    expect((await devicesOf(sub)).map((d) => d.hwid)).toEqual(['a', 'b']);
  });

  it('frees a slot when the user removes a device in the bot, and says so when it is already gone', async () => {
    const sub = await onPlan('duo');
    await linksFor(sub, 'old-phone');
    await linksFor(sub, 'laptop');
    expect(await linksFor(sub, 'new-phone')).toEqual([]);
    const devices = app.get(DevicesService);
    const listed = await devices.listForUser(sub.userId);
    expect(listed).toMatchObject({ limit: 2, devices: [{ hwid: 'old-phone' }, { hwid: 'laptop' }] });
    expect(await devices.removeForUser(sub.userId, deviceKey('old-phone'))).toBe(true);
    expect(await devices.removeForUser(sub.userId, deviceKey('old-phone'))).toBe(false);
    expect(await linksFor(sub, 'new-phone')).toHaveLength(1);
    expect((await devicesOf(sub)).map((d) => d.hwid)).toEqual(['laptop', 'new-phone']);
  });

  it('never lets concurrent first fetches of new devices exceed the limit', async () => {
    const sub = await onPlan('duo');
    const got = await Promise.all(Array.from({ length: 12 }, (_, i) => linksFor(sub, `dev-${i}`)));
    expect(got.filter((links) => links.length === 1)).toHaveLength(2);
    expect(await devicesOf(sub)).toHaveLength(2);
  });

  it('counts devices on a plan without a limit but never refuses one', async () => {
    const sub = await onPlan('free');
    for (let i = 0; i < 5; i++) {
      const res = await fetchAs(sub, { 'x-hwid': `d${i}` });
      expect(res.headers.get('x-hwid-active')).toBeNull();
      expect(base64Links(await res.text())).toHaveLength(1);
    }
    expect(await devicesOf(sub)).toHaveLength(5);
  });

  it('serves a client that sends no x-hwid without counting it (like a raw vless:// link)', async () => {
    const sub = await onPlan('duo');
    await linksFor(sub, 'a');
    await linksFor(sub, 'b');
    const res = await fetchAs(sub, { 'user-agent': 'v2rayN/7.10.5' });
    expect(base64Links(await res.text())).toHaveLength(1);
    expect(await devicesOf(sub)).toHaveLength(2);
  });

  it.each([
    [{ 'x-hwid': 'h'.repeat(129) }, 'x-hwid must be 1 to 128 visible ASCII characters without spaces'],
    [
      { 'x-hwid': 'ok-id', 'x-device-model': 'm'.repeat(65) },
      'x-device-model must be at most 64 printable characters',
    ],
    [
      { 'x-hwid': 'ok-id', 'x-device-os': 'o'.repeat(200) },
      'x-device-os must be at most 64 printable characters',
    ],
    [{ 'x-hwid': 'ok-id', 'x-ver-os': 'v'.repeat(65) }, 'x-ver-os must be at most 64 printable characters'],
  ])('refuses bad device headers %o with a clear 400 and registers nothing', async (headers, message) => {
    const sub = await onPlan('duo');
    await linksFor(sub, 'kept');
    const res = await fetchAs(sub, headers);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(message);
    expect((await devicesOf(sub)).map((d) => d.hwid)).toEqual(['kept']);
    expect(await linksFor(sub, 'kept')).toHaveLength(1);
  });
});
