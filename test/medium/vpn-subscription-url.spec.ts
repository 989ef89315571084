import type { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { VpnKeysService } from '../../src/vpn/vpn-keys.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { insertSubscription } from '../support/v2ray-fixtures';

describe('GET /sub/:token', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let dbs: DbService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: {
        XRAY_API_ADDRESS: '127.0.0.1:1',
        VPN_PUBLIC_HOST: 'vpn.example.com',
        VPN_LINK_LABEL: 'My VPN',
        PUBLIC_BASE_URL: 'https://bot.example.com/',
      },
      imports: [VpnModule],
    }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    dbs = app.get(DbService);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });

  it('serves the base64 link list with the headers VPN clients read', async () => {
    const sub = await insertSubscription(dbs, { expiresInDays: 10 });
    const res = await get(`/sub/${sub.subToken}`);
    expect(res.status).toBe(200);
    const links = Buffer.from(await res.text(), 'base64')
      .toString()
      .split('\n');
    expect(links).toEqual([
      expect.stringMatching(new RegExp(`^vless://${sub.vpnUuid}@vpn\\.example\\.com:443\\?`)),
    ]);
    expect(links[0]).toMatch(/#My%20VPN$/);
    const [{ exp }] = await dbs.query<{ exp: string }>(
      'test',
      `SELECT floor(extract(epoch FROM expires_at))::bigint AS exp FROM subscriptions WHERE id = $1`,
      [sub.id],
    );
    expect(res.headers.get('subscription-userinfo')).toBe(`upload=0; download=0; total=0; expire=${exp}`);
    expect(res.headers.get('profile-title')).toBe(`base64:${Buffer.from('My VPN').toString('base64')}`);
    expect(res.headers.get('profile-update-interval')).toBe('12');
  });

  it('gives an expired subscription no links', async () => {
    const sub = await insertSubscription(dbs, { status: 'expired' });
    const res = await get(`/sub/${sub.subToken}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.text(), 'base64').toString()).toBe('');
  });

  it('answers 404 with one identical body for garbage, unknown and reissued tokens', async () => {
    const sub = await insertSubscription(dbs);
    await dbs.query('test', `UPDATE subscriptions SET sub_token = $2, vpn_uuid = $3 WHERE id = $1`, [
      sub.id,
      randomBytes(24).toString('base64url'),
      randomUUID(),
    ]);
    const probes = [
      sub.subToken,
      randomBytes(24).toString('base64url'),
      'x',
      "' OR 1=1 --",
      'a'.repeat(500),
      '%00%00',
      `${sub.subToken.slice(0, 31)}!`,
    ];
    const answers = await Promise.all(
      probes.map(async (p) => {
        const res = await get(`/sub/${encodeURIComponent(p)}`);
        return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
      }),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify({ status: 404, body: 'Not Found', type: 'text/plain; charset=utf-8' })]),
    );
  });

  it('hands the bot a link, a QR code and the public subscription URL for an active user only', async () => {
    const keys = app.get(VpnKeysService);
    const sub = await insertSubscription(dbs);
    const key = await keys.keyForUser(sub.userId);
    expect(key?.subscriptionUrl).toBe(`https://bot.example.com/sub/${sub.subToken}`);
    const png = await keys.qrPng(key!.link);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const expired = await insertSubscription(dbs, { status: 'expired' });
    expect(await keys.keyForUser(expired.userId)).toBeUndefined();
  });
});
