import type { INestApplication } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service';
import { SubscriptionUsage } from '../../src/vpn/feed/subscription-usage';
import { ProvisioningOutboxService } from '../../src/vpn/provisioning-outbox.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  base64Links,
  clashParams,
  clashProxies,
  headersOf,
  SettableUsage,
  linkParams,
  singboxParams,
  singboxVless,
} from '../support/feed-params';
import { createTestApp } from '../support/test-app';
import { startTargetServer, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable, type V2rayCore } from '../support/v2ray-core';

const PBK = 'hmjNjdJfVQQjzoxfrLrgsjdReONcDvGG8siXYEAAAAA';
const CLASH_UA = 'clash-verge/v2.2.3';
const SINGBOX_UA = 'SFA/1.11.4 (Android 14; sing-box 1.11.4; language en_US)';

describe.skipIf(!v2rayAvailable())('subscription feed formats on a fleet of four transports', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let dbs: DbService;
  let core: V2rayCore;
  let target: Awaited<ReturnType<typeof startTargetServer>>;
  let base: string;
  const usage = new SettableUsage();
  let nextUser = 8_100_000;

  const nodes = () => [
    {
      code: 'real',
      name: 'Local',
      country: 'nl',
      apiAddress: core.apiAddress,
      host: '127.0.0.1',
      port: core.vlessPort,
    },
    {
      code: 'rty',
      name: 'Reality',
      country: 'de',
      apiAddress: '127.0.0.1:1',
      host: 'r.example.com',
      port: 443,
      security: 'reality',
      sni: 'www.microsoft.com',
      realityPublicKey: PBK,
      realityShortId: '0123abcd',
      flow: 'xtls-rprx-vision',
    },
    {
      code: 'tws',
      name: 'WebSocket',
      apiAddress: '127.0.0.1:1',
      host: 'w.example.com',
      port: 8443,
      security: 'tls',
      sni: 'cdn.example.com',
      transport: 'ws',
      path: '/vl ws',
      fingerprint: 'firefox',
    },
    {
      code: 'tgr',
      name: 'gRPC',
      apiAddress: '127.0.0.1:1',
      host: '2001:db8::1',
      port: 2053,
      security: 'tls',
      sni: 'g.example.com',
      transport: 'grpc',
      path: 'vless-grpc',
    },
  ];

  beforeAll(async () => {
    target = await startTargetServer();
    core = await startV2rayCore({ targetPort: target.port });
    db = await createTestDatabase();
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: {
        XRAY_INBOUND_TAG: 'vless-test',
        XRAY_PROTO_NAMESPACE: 'v2ray.core',
        VPN_API_TIMEOUT_MS: '500',
        VPN_NODES: JSON.stringify(nodes()),
        VPN_LINK_LABEL: 'Бот VPN',
        PUBLIC_BASE_URL: 'https://bot.example.com',
        SUPPORT_CONTACT: '@vpn_support',
        SUB_ANNOUNCE: 'Maintenance on Sunday',
        RATE_LIMIT_SUB: '10000',
      },
      imports: [SubscriptionsModule, VpnModule],
      overrides: [{ provide: SubscriptionUsage, useValue: usage }],
    }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    dbs = app.get(DbService);
  });
  afterAll(async () => {
    await app?.close();
    await core?.stop();
    await target?.close();
    await db?.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  const paidKey = async () => {
    const userId = nextUser++;
    await dbs.query('test', `INSERT INTO users (id) VALUES ($1)`, [userId]);
    const { subscription } = await app.get(SubscriptionsService).grantByAdmin({ userId, days: 30 });
    await app.get(ProvisioningOutboxService).runOnce({ signal: AbortSignal.timeout(20_000) });
    return subscription;
  };

  it('carries for every node the same UUID, host, port and parameters in base64, Clash and sing-box', async () => {
    const sub = await paidKey();
    const links = base64Links(await (await get(`/sub/${sub.subToken}`)).text());
    const clash = await get(`/sub/${sub.subToken}`, { 'user-agent': CLASH_UA });
    const singbox = await get(`/sub/${sub.subToken}`, { 'user-agent': SINGBOX_UA });
    expect(clash.headers.get('content-type')).toBe('text/yaml; charset=utf-8');
    expect(singbox.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const fromLinks = links.map(linkParams);
    expect(fromLinks).toEqual([
      {
        name: '🇳🇱 Local',
        uuid: sub.vpnUuid,
        server: '127.0.0.1',
        port: core.vlessPort,
        security: 'none',
        network: 'tcp',
      },
      {
        name: '🇩🇪 Reality',
        uuid: sub.vpnUuid,
        server: 'r.example.com',
        port: 443,
        security: 'reality',
        sni: 'www.microsoft.com',
        fingerprint: 'chrome',
        publicKey: PBK,
        shortId: '0123abcd',
        flow: 'xtls-rprx-vision',
        network: 'tcp',
      },
      {
        name: 'WebSocket',
        uuid: sub.vpnUuid,
        server: 'w.example.com',
        port: 8443,
        security: 'tls',
        sni: 'cdn.example.com',
        fingerprint: 'firefox',
        network: 'ws',
        path: '/vl ws',
        wsHost: 'cdn.example.com',
      },
      {
        name: 'gRPC',
        uuid: sub.vpnUuid,
        server: '2001:db8::1',
        port: 2053,
        security: 'tls',
        sni: 'g.example.com',
        fingerprint: 'chrome',
        network: 'grpc',
        path: 'vless-grpc',
      },
    ]);
    expect(clashProxies(await clash.text()).map(clashParams)).toEqual(fromLinks);
    expect(singboxVless(await singbox.text()).map(singboxParams)).toEqual(fromLinks);
  });

  it('opens a tunnel through the real core with the parameters of each format', async () => {
    const sub = await paidKey();
    const [link] = base64Links(await (await get(`/sub/${sub.subToken}`)).text());
    const [proxy] = clashProxies(await (await get(`/sub/${sub.subToken}?format=clash`)).text());
    const [outbound] = singboxVless(await (await get(`/sub/${sub.subToken}?format=singbox`)).text());
    for (const p of [linkParams(link), clashParams(proxy), singboxParams(outbound)]) {
      expect(await vlessGet({ vlessPort: p.port, uuid: p.uuid, targetPort: target.port })).toMatchObject({
        accepted: true,
      });
    }
  });

  it('builds profiles a client can start: a selector over every node and a rule that uses it', async () => {
    const sub = await paidKey();
    const clash = parseYaml(await (await get(`/sub/${sub.subToken}?format=clash`)).text());
    expect(clash['proxy-groups']).toEqual([
      { name: 'Бот VPN', type: 'select', proxies: ['🇳🇱 Local', '🇩🇪 Reality', 'WebSocket', 'gRPC'] },
    ]);
    expect(clash.rules).toEqual(['MATCH,Бот VPN']);
    const sb = JSON.parse(await (await get(`/sub/${sub.subToken}?format=singbox`)).text());
    expect(sb.outbounds[0]).toEqual({
      type: 'selector',
      tag: 'proxy',
      outbounds: ['🇳🇱 Local', '🇩🇪 Reality', 'WebSocket', 'gRPC'],
    });
    expect(sb.route.final).toBe('proxy');
  });

  it('sends the headers clients read, with the real usage, title, links and announce', async () => {
    const sub = await paidKey();
    usage.of.set(sub.id, { upload: 1_000, download: 25_000, total: 10 * 1024 ** 3, overLimit: false });
    const res = await get(`/sub/${sub.subToken}`, { 'user-agent': CLASH_UA });
    const [{ exp }] = await dbs.query<{ exp: string }>(
      'test',
      `SELECT floor(extract(epoch FROM expires_at))::bigint AS exp FROM subscriptions WHERE id = $1`,
      [sub.id],
    );
    const h = headersOf(res);
    expect(h).toMatchObject({
      'subscription-userinfo': `upload=1000; download=25000; total=10737418240; expire=${exp}`,
      'profile-title': `base64:${Buffer.from('Бот VPN').toString('base64')}`,
      'profile-update-interval': '12',
      'profile-web-page-url': `https://bot.example.com/sub/${sub.subToken}`,
      'support-url': 'https://t.me/vpn_support',
      announce: `base64:${Buffer.from('Maintenance on Sunday').toString('base64')}`,
      'cache-control': 'no-store, private',
      'x-subscription-status': 'active',
      'content-disposition': `attachment; filename="VPN.yaml"; filename*=UTF-8''${encodeURIComponent('Бот VPN.yaml')}`,
    });
  });

  it.each([
    [
      'expired',
      `UPDATE subscriptions SET status = 'expired' WHERE id = $1`,
      /has ended\. Renew it in the bot/,
    ],
    [
      'banned',
      `UPDATE users SET is_banned = true WHERE id = (SELECT user_id FROM subscriptions WHERE id = $1)`,
      /suspended.*Contact support/,
    ],
  ])('gives a %s subscription empty but valid profiles that say why', async (reason, sql, why) => {
    const sub = await paidKey();
    await dbs.query('test', sql, [sub.id]);
    await expectEmptyProfiles(sub.subToken, reason, why);
  });

  it('gives a subscription over its traffic limit (as the usage interface reports) empty profiles', async () => {
    const sub = await paidKey();
    usage.of.set(sub.id, { upload: 5, download: 100, total: 100, overLimit: true });
    await expectEmptyProfiles(sub.subToken, 'over-limit', /traffic limit of this period is used up/);
  });

  async function expectEmptyProfiles(token: string, reason: string, why: RegExp) {
    const b64 = await get(`/sub/${token}`);
    const clash = await get(`/sub/${token}?format=clash`);
    const sb = await get(`/sub/${token}?format=singbox`);
    for (const res of [b64, clash, sb]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('x-subscription-status')).toBe(reason);
      expect(Buffer.from(res.headers.get('announce')!.slice(7), 'base64').toString()).toMatch(why);
    }
    expect(base64Links(await b64.text())).toEqual([]);
    const clashDoc = parseYaml(await clash.text());
    expect(clashDoc.proxies).toEqual([]);
    expect(clashDoc['proxy-groups'][0].proxies).toEqual(['DIRECT']);
    expect(singboxVless(await sb.text())).toEqual([]);
  }

  it('answers HEAD with the same headers and no body', async () => {
    const sub = await paidKey();
    const res = await fetch(`${base}/sub/${sub.subToken}`, {
      method: 'HEAD',
      headers: { 'user-agent': CLASH_UA },
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('subscription-userinfo')).toMatch(/^upload=0; download=0; total=0; expire=\d+$/);
    expect(res.headers.get('content-type')).toBe('text/yaml; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('refuses an unknown or repeated ?format= with a clear 400 and leaves the feed as it was', async () => {
    const sub = await paidKey();
    const bad = await get(`/sub/${sub.subToken}?format=xml`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('unknown format "xml": use one of base64, clash, singbox, html');
    const twice = await get(`/sub/${sub.subToken}?format=clash&format=singbox`);
    expect(twice.status).toBe(400);
    expect(await twice.text()).toMatch(/format must be given once/);
    expect(base64Links(await (await get(`/sub/${sub.subToken}`)).text())).toHaveLength(4);
  });
});
