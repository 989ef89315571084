import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { ExpiryService } from '../../src/subscriptions/expiry.service';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service';
import { CoreHealthService } from '../../src/vpn/core-health.service';
import { ProvisioningOutboxService } from '../../src/vpn/provisioning-outbox.service';
import { ReconciliationService } from '../../src/vpn/reconciliation.service';
import { VpnFleetService } from '../../src/vpn/vpn-fleet.service';
import { FeedService } from '../../src/vpn/feed/feed.service';
import { VpnKeysService } from '../../src/vpn/vpn-keys.service';
import { VpnNodesRepository } from '../../src/vpn/vpn-nodes.repository';
import { VpnNodesService } from '../../src/vpn/vpn-nodes.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { startTargetServer, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable, type V2rayCore } from '../support/v2ray-core';

const CODES = ['nl-1', 'de-1', 'fi-1'] as const;
type Code = (typeof CODES)[number];

describe.skipIf(!v2rayAvailable())('VPN fleet on three real v2fly cores', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let dbs: DbService;
  let target: Awaited<ReturnType<typeof startTargetServer>>;
  const cores = {} as Record<Code, V2rayCore>;
  const logger = new CapturedLogger();
  let nextUser = 7_000_000;
  const signal = () => AbortSignal.timeout(20_000);
  const access = (node: Code, uuid: string) =>
    vlessGet({ vlessPort: cores[node].vlessPort, uuid, targetPort: target.port });
  const accessAll = async (uuid: string) =>
    Object.fromEntries(await Promise.all(CODES.map(async (c) => [c, (await access(c, uuid)).accepted])));
  const outbox = () => app.get(ProvisioningOutboxService).runOnce({ signal: signal() });
  const subs = () => app.get(SubscriptionsService);
  const newUser = async () => {
    const id = nextUser++;
    await dbs.query('test', `INSERT INTO users (id) VALUES ($1)`, [id]);
    return id;
  };
  const opsOf = (subscriptionId: string) =>
    dbs.query<{ node_code: string; kind: string; state: string }>(
      'test',
      `SELECT node_code, kind, state FROM vpn_operations WHERE subscription_id = $1 ORDER BY node_code, id`,
      [subscriptionId],
    );

  /** The health probe, repeated until every core answers (a restarted core takes a moment to listen). */
  const probeUntilAnswered = async () => {
    for (let i = 0; ; i++) {
      try {
        return await app.get(CoreHealthService).runOnce({ signal: signal() });
      } catch (err) {
        if (i >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const baseEnv = {
    XRAY_INBOUND_TAG: 'vless-test',
    XRAY_PROTO_NAMESPACE: 'v2ray.core',
    VPN_API_TIMEOUT_MS: '800',
    VPN_CIRCUIT_THRESHOLD: '2',
    VPN_CIRCUIT_HALF_OPEN_MS: '200',
    TRIAL_NODE_TAGS: 'trial',
  };
  let nodesEnv: object[] = [];

  beforeAll(async () => {
    target = await startTargetServer();
    for (const c of CODES) cores[c] = await startV2rayCore({ targetPort: target.port });
    db = await createTestDatabase();
    nodesEnv = CODES.map((code, i) => ({
      code,
      apiAddress: cores[code].apiAddress,
      host: '127.0.0.1',
      port: cores[code].vlessPort,
      tags: i === 0 ? ['trial'] : [],
      ...(i === 0 ? { name: 'Amsterdam', country: 'nl' } : {}),
    }));
    ({ app } = await createTestApp({
      databaseUrl: db.url,
      env: { ...baseEnv, VPN_NODES: JSON.stringify(nodesEnv) },
      imports: [SubscriptionsModule, VpnModule],
      logger,
    }));
    dbs = app.get(DbService);
  });
  afterAll(async () => {
    await app?.close();
    for (const c of CODES) await cores[c]?.stop();
    await target?.close();
    await db?.drop();
  });

  it('provisions a paid key on every node and the trial only on the nodes its tags allow', async () => {
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    const trial = await subs().startTrial(await newUser());
    await outbox();

    expect(await accessAll(paid.subscription.vpnUuid)).toEqual({ 'nl-1': true, 'de-1': true, 'fi-1': true });
    expect(await accessAll(trial.vpnUuid)).toEqual({ 'nl-1': true, 'de-1': false, 'fi-1': false });
    expect((await opsOf(trial.id)).map((o) => o.node_code)).toEqual(['nl-1']);
    const notes = await dbs.query('test', `SELECT kind FROM notifications WHERE user_id = $1`, [
      paid.subscription.userId,
    ]);
    expect(notes).toEqual([{ kind: 'key_ready' }]);
  });

  it('contacts each new node without the "lost its users" warning a restart gets', async () => {
    expect(await app.get(CoreHealthService).runOnce({ signal: signal() })).toEqual({ stateLost: true });
    expect(logger.matching(/lost its users/)).toEqual([]);
    expect(logger.matching(/contacted for the first time/)).toHaveLength(3);
    expect(await app.get(CoreHealthService).runOnce({ signal: signal() })).toEqual({ stateLost: false });
  });

  it('keeps serving the other nodes while one core is down; its lane completes when it is back', async () => {
    await cores['de-1'].kill();
    const t0 = Date.now();
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await access('nl-1', paid.subscription.vpnUuid)).toMatchObject({ accepted: true });
    expect(await access('fi-1', paid.subscription.vpnUuid)).toMatchObject({ accepted: true });
    expect(await opsOf(paid.subscription.id)).toEqual([
      { node_code: 'de-1', kind: 'provision', state: 'pending' },
      { node_code: 'fi-1', kind: 'provision', state: 'done' },
      { node_code: 'nl-1', kind: 'provision', state: 'done' },
    ]);

    await cores['de-1'].restart();
    await probeUntilAnswered();
    await dbs.query('test', `UPDATE vpn_operations SET next_attempt_at = now() WHERE state = 'pending'`);
    await outbox();
    expect((await opsOf(paid.subscription.id)).map((o) => o.state)).toEqual(['done', 'done', 'done']);
    expect(await access('de-1', paid.subscription.vpnUuid)).toMatchObject({ accepted: true });
  });

  it('re-provisions only the node whose core restarted, with the warning for that node alone', async () => {
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    await app.get(CoreHealthService).runOnce({ signal: signal() });
    const warnedBefore = logger.matching(/lost its users/).length;
    await cores['fi-1'].restart();
    expect(await access('fi-1', paid.subscription.vpnUuid)).toMatchObject({ accepted: false });

    // The sentinel of fi-1 says it lost its users: the health check runs a reconciliation pass itself.
    await probeUntilAnswered();

    expect(app.get(CoreHealthService).lastLost).toEqual(['fi-1']);
    expect(await accessAll(paid.subscription.vpnUuid)).toEqual({ 'nl-1': true, 'de-1': true, 'fi-1': true });
    const byNode = app.get(ReconciliationService).lastByNode;
    expect(byNode.get('fi-1')!.added).toBeGreaterThanOrEqual(1);
    expect(byNode.get('nl-1')!.added).toBe(0);
    const warned = logger.matching(/lost its users/).slice(warnedBefore);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('node fi-1 lost its users');
  });

  it('revokes an expired key on every node', async () => {
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    await dbs.query('test', `UPDATE subscriptions SET expires_at = now() - interval '1 day' WHERE id = $1`, [
      paid.subscription.id,
    ]);
    expect(await app.get(ExpiryService).expireBatch()).toBe(1);
    await outbox();
    expect(await accessAll(paid.subscription.vpnUuid)).toEqual({
      'nl-1': false,
      'de-1': false,
      'fi-1': false,
    });
  });

  it('serves one link per node in the feed, each passing the handshake through its own core', async () => {
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    const feed = await app.get(FeedService).feed({ token: paid.subscription.subToken, headers: {} });
    const links = Buffer.from(feed!.body, 'base64').toString().split('\n');
    expect(links.map((l) => decodeURIComponent(l.split('#')[1]))).toEqual(['🇳🇱 Amsterdam', 'de-1', 'fi-1']);
    for (const link of links) {
      const port = Number(/@127\.0\.0\.1:(\d+)\?/.exec(link)![1]);
      const ok = await vlessGet({
        vlessPort: port,
        uuid: paid.subscription.vpnUuid,
        targetPort: target.port,
      });
      expect(ok).toMatchObject({ accepted: true });
    }
  });

  it('leaves a draining node out of feeds and new keys, and keeps the keys it has', async () => {
    const before = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    expect(await app.get(VpnNodesRepository).setState('de-1', 'draining')).toBe(true);
    const after = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();

    expect((await opsOf(after.subscription.id)).map((o) => o.node_code)).toEqual(['fi-1', 'nl-1']);
    expect(await accessAll(after.subscription.vpnUuid)).toEqual({
      'nl-1': true,
      'de-1': false,
      'fi-1': true,
    });
    expect(await access('de-1', before.subscription.vpnUuid)).toMatchObject({ accepted: true });
    const links = await app.get(VpnKeysService).linksFor(before.subscription);
    expect(links.map((l) => l.node)).toEqual(['nl-1', 'fi-1']);
    await app.get(VpnNodesRepository).setState('de-1', 'active');
  });

  it('removes the keys from a disabled node (handshake refused) and backfills it when enabled again', async () => {
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    expect(await access('fi-1', paid.subscription.vpnUuid)).toMatchObject({ accepted: true });

    expect(await app.get(VpnNodesService).setState('fi-1', 'disabled')).toBe(true);
    await outbox();
    expect(await accessAll(paid.subscription.vpnUuid)).toEqual({ 'nl-1': true, 'de-1': true, 'fi-1': false });
    expect((await app.get(VpnKeysService).linksFor(paid.subscription)).map((l) => l.node)).toEqual([
      'nl-1',
      'de-1',
    ]);

    expect(await app.get(VpnNodesService).setState('fi-1', 'active')).toBe(true);
    await outbox();
    expect(await access('fi-1', paid.subscription.vpnUuid)).toMatchObject({ accepted: true });
    const overview = await app.get(VpnNodesService).overview();
    // The single-core row the migration seeded is no longer configured: kept, retired.
    expect(overview.map((n) => [n.code, n.state, n.backlog]).sort()).toEqual([
      ['de-1', 'active', 0],
      ['default', 'retired', 0],
      ['fi-1', 'active', 0],
      ['nl-1', 'active', 0],
    ]);
    expect(overview.find((n) => n.code === 'fi-1')!.users).toBeGreaterThanOrEqual(1);
  });

  it('backfills a node added later with every active subscription that may use it', async () => {
    const extra = await startV2rayCore({ targetPort: target.port });
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    const trial = await subs().startTrial(await newUser());
    await outbox();
    const env = JSON.parse(JSON.stringify(nodesEnv)) as { code: string }[];
    env.push({
      code: 'se-1',
      apiAddress: extra.apiAddress,
      host: '127.0.0.1',
      port: extra.vlessPort,
    } as never);
    const { app: later } = await createTestApp({
      databaseUrl: db.url,
      env: { ...baseEnv, VPN_NODES: JSON.stringify(env) },
      imports: [SubscriptionsModule, VpnModule],
      logger,
    });
    try {
      await later.get(CoreHealthService).runOnce({ signal: signal() });
      await later.get(ProvisioningOutboxService).runOnce({ signal: signal() });
      const onNew = (uuid: string) => vlessGet({ vlessPort: extra.vlessPort, uuid, targetPort: target.port });
      expect(await onNew(paid.subscription.vpnUuid)).toMatchObject({ accepted: true });
      expect(await onNew(trial.vpnUuid)).toMatchObject({ accepted: false });
      const [{ n }] = await dbs.query<{ n: string }>(
        'test',
        `SELECT count(*) AS n FROM vpn_operations WHERE node_code = 'se-1' AND state <> 'done'`,
      );
      expect(Number(n)).toBe(0);
    } finally {
      await later.close();
      await extra.stop();
    }
  });

  it('reissues on every node: the old UUID is refused everywhere, the new one works everywhere', async () => {
    const paid = await subs().grantByAdmin({ userId: await newUser(), days: 30 });
    await outbox();
    const renewed = await subs().reissue(paid.subscription.userId);
    await outbox();
    expect(await accessAll(paid.subscription.vpnUuid)).toEqual({
      'nl-1': false,
      'de-1': false,
      'fi-1': false,
    });
    expect(await accessAll(renewed.vpnUuid)).toEqual({ 'nl-1': true, 'de-1': true, 'fi-1': true });
  });

  it('builds one provider and one circuit per node', () => {
    const lanes = app.get(VpnFleetService).lanes;
    expect(lanes.map((l) => l.node.code)).toEqual([...CODES]);
    expect(new Set(lanes.map((l) => l.circuit)).size).toBe(3);
  });
});
