import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PurchasesService } from '../../src/payments/purchases.service';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service';
import { renderNotification } from '../../src/telegram/bot/views/notification.view';
import { CoreHealthService } from '../../src/vpn/core-health.service';
import { ProvisioningOutboxService } from '../../src/vpn/provisioning-outbox.service';
import { ReconciliationService } from '../../src/vpn/reconciliation.service';
import { VpnKeysService } from '../../src/vpn/vpn-keys.service';
import { VpnNodesService } from '../../src/vpn/vpn-nodes.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { CapturedLogger } from '../support/captured-logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { startTargetServer, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable, type V2rayCore } from '../support/v2ray-core';

// a-1 has room for two users; c-1 alone carries the trial's tag.
const CODES = ['a-1', 'b-1', 'c-1'] as const;
type Code = (typeof CODES)[number];
const ADMIN = 990_000_001;

describe.skipIf(!v2rayAvailable())(
  'VPN fleet episodes, capacity and placement on three real v2fly cores',
  () => {
    let db: TestDatabase;
    let app: INestApplication;
    let dbs: DbService;
    let target: Awaited<ReturnType<typeof startTargetServer>>;
    const cores = {} as Record<Code, V2rayCore>;
    const logger = new CapturedLogger();
    let nextUser = 8_000_000;
    const signal = () => AbortSignal.timeout(20_000);
    const access = async (node: Code, uuid: string) =>
      (await vlessGet({ vlessPort: cores[node].vlessPort, uuid, targetPort: target.port })).accepted;
    const accessAll = async (uuid: string) =>
      Object.fromEntries(await Promise.all(CODES.map(async (c) => [c, await access(c, uuid)])));
    const outbox = () => app.get(ProvisioningOutboxService).runOnce({ signal: signal() });
    const probe = () =>
      app
        .get(CoreHealthService)
        .runOnce({ signal: signal() })
        .catch((e: Error) => e);
    /** A restarted core takes a moment to listen. */
    const probeUntilAnswered = async () => {
      for (let i = 0; (await probe()) instanceof Error; i++) {
        if (i >= 50) throw new Error('a core did not come back');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const subs = () => app.get(SubscriptionsService);
    const newUser = async () => {
      const id = nextUser++;
      await dbs.query('test', `INSERT INTO users (id) VALUES ($1)`, [id]);
      return id;
    };
    const grant = async () => (await subs().grantByAdmin({ userId: await newUser(), days: 30 })).subscription;
    const nodesOf = async (subscriptionId: string) =>
      (
        await dbs.query<{ node_code: string }>(
          'test',
          `SELECT DISTINCT node_code FROM vpn_operations WHERE subscription_id = $1 AND state <> 'superseded'
          ORDER BY node_code`,
          [subscriptionId],
        )
      ).map((r) => r.node_code);
    const adminNotices = (kind: string) =>
      dbs.query<{ payload: Record<string, unknown> }>(
        'test',
        `SELECT payload FROM notifications WHERE user_id = $1 AND kind = $2 ORDER BY id`,
        [ADMIN, kind],
      );
    const nodesEnv = () =>
      CODES.map((code, i) => ({
        code,
        apiAddress: cores[code].apiAddress,
        host: '127.0.0.1',
        port: cores[code].vlessPort,
        tags: code === 'c-1' ? ['trial'] : [],
        ...(i === 0 ? { capacity: 2 } : {}),
      }));
    const env = () => ({
      XRAY_INBOUND_TAG: 'vless-test',
      XRAY_PROTO_NAMESPACE: 'v2ray.core',
      VPN_API_TIMEOUT_MS: '800',
      VPN_CIRCUIT_THRESHOLD: '2',
      VPN_CIRCUIT_HALF_OPEN_MS: '200',
      TRIAL_NODE_TAGS: 'trial',
      ADMIN_IDS: String(ADMIN),
      VPN_NODES: JSON.stringify(nodesEnv()),
    });

    beforeAll(async () => {
      target = await startTargetServer();
      for (const c of CODES) cores[c] = await startV2rayCore({ targetPort: target.port });
      db = await createTestDatabase();
      ({ app } = await createTestApp({
        databaseUrl: db.url,
        env: env(),
        imports: [SubscriptionsModule, PaymentsModule, VpnModule],
        logger,
      }));
      dbs = app.get(DbService);
      await dbs.query('test', `INSERT INTO users (id) VALUES ($1)`, [ADMIN]);
      await probe();
    });
    afterAll(async () => {
      await app?.close();
      for (const c of CODES) await cores[c]?.stop();
      await target?.close();
      await db?.drop();
    });

    it('leaves new users off a full node, tells the admin once, and lists the least-loaded node first', async () => {
      const first = await grant();
      const second = await grant();
      const third = await grant();
      await outbox();
      expect(await nodesOf(first.id)).toEqual(['a-1', 'b-1', 'c-1']);
      expect(await nodesOf(second.id)).toEqual(['a-1', 'b-1', 'c-1']);
      expect(await nodesOf(third.id)).toEqual(['b-1', 'c-1']);
      expect(await accessAll(third.vpnUuid)).toEqual({ 'a-1': false, 'b-1': true, 'c-1': true });

      await probe();
      await probe();
      const full = await adminNotices('vpn_node_full');
      expect(full.map((n) => n.payload)).toEqual([{ node: 'a-1', users: 2, capacity: 2 }]);
      expect(renderNotification('vpn_node_full', full[0].payload, 'ru')).toContain(
        'VPN node a-1 is full: 2 of 2 users',
      );

      const keys = app.get(VpnKeysService);
      // a-1 is full (2/2): the nodes without a capacity come first; a user without a key there gets no link to it.
      expect((await keys.linksFor(first)).map((l) => l.node)).toEqual(['b-1', 'c-1', 'a-1']);
      expect((await keys.linksFor(third)).map((l) => l.node)).toEqual(['b-1', 'c-1']);

      // A key a-1 already holds stays there: a reissue of a placed user is not a new user.
      const reissued = await subs().reissue(first.userId);
      await outbox();
      expect(await accessAll(reissued.vpnUuid)).toEqual({ 'a-1': true, 'b-1': true, 'c-1': true });
    });

    it('tells the admins once when a node goes down and once when it is back, however much fails meanwhile', async () => {
      await cores['b-1'].kill();
      const during = [await grant(), await grant()];
      for (let i = 0; i < 3; i++) {
        await outbox();
        expect(await probe()).toBeInstanceOf(Error);
        await dbs.query('test', `UPDATE vpn_operations SET next_attempt_at = now() WHERE state = 'pending'`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const down = await adminNotices('vpn_node_down');
      expect(down).toHaveLength(1);
      expect(down[0].payload).toMatchObject({ node: 'b-1' });
      expect(renderNotification('vpn_node_down', down[0].payload, 'en')).toMatch(
        /^🔴 VPN node b-1 is down: /,
      );
      expect(await adminNotices('vpn_node_up')).toEqual([]);

      await cores['b-1'].restart();
      await probeUntilAnswered();
      await probe();
      const up = await adminNotices('vpn_node_up');
      expect(up).toHaveLength(1);
      expect(renderNotification('vpn_node_up', up[0].payload, 'en')).toMatch(
        /^🟢 VPN node b-1 is back after /,
      );
      await dbs.query('test', `UPDATE vpn_operations SET next_attempt_at = now() WHERE state = 'pending'`);
      await outbox();
      for (const s of during) expect(await access('b-1', s.vpnUuid)).toBe(true);

      // The next outage of the same node is a new episode: told again.
      await cores['b-1'].kill();
      await probe();
      expect(await adminNotices('vpn_node_down')).toHaveLength(2);
      await cores['b-1'].restart();
      await probeUntilAnswered();
      expect(await adminNotices('vpn_node_up')).toHaveLength(2);
    });

    it("reconciles by the writer's rule: a trial whose tag no active node carries keeps its fallback keys", async () => {
      expect(await app.get(VpnNodesService).setState('c-1', 'draining')).toBe(true);
      const trial = await subs().startTrial(await newUser());
      await outbox();
      // No active node carries `trial`: the writer falls back to every active node with room (a-1 is full).
      expect(await nodesOf(trial.id)).toEqual(['b-1']);
      expect(await accessAll(trial.vpnUuid)).toEqual({ 'a-1': false, 'b-1': true, 'c-1': false });

      await cores['b-1'].restart();
      await cores['a-1'].restart();
      await probeUntilAnswered();
      await app.get(ReconciliationService).runOnce({ signal: signal() });

      // Put back on b-1 (where the writer put it), not removed; not added to a-1, which holds only its own.
      expect(await accessAll(trial.vpnUuid)).toEqual({ 'a-1': false, 'b-1': true, 'c-1': false });
      const onA = await dbs.query<{ id: string; vpn_uuid: string }>(
        'test',
        `SELECT s.id, s.vpn_uuid FROM subscriptions s WHERE s.status = 'active' ORDER BY s.id`,
      );
      const placedOnA = await Promise.all(onA.map(async (s) => (await nodesOf(s.id)).includes('a-1')));
      for (const [i, s] of onA.entries()) expect(await access('a-1', s.vpn_uuid)).toBe(placedOnA[i]);
      expect(placedOnA.filter(Boolean)).toHaveLength(2);
      expect(await app.get(VpnNodesService).setState('c-1', 'active')).toBe(true);
      await outbox();
    });

    it('bans, unbans and refunds on every node', async () => {
      const sub = await grant();
      await outbox();
      expect(await accessAll(sub.vpnUuid)).toEqual({ 'a-1': false, 'b-1': true, 'c-1': true });
      await subs().setBanned(sub.userId, true);
      await outbox();
      expect(await accessAll(sub.vpnUuid)).toEqual({ 'a-1': false, 'b-1': false, 'c-1': false });
      await subs().setBanned(sub.userId, false);
      await outbox();
      expect(await accessAll(sub.vpnUuid)).toEqual({ 'a-1': false, 'b-1': true, 'c-1': true });

      const purchases = app.get(PurchasesService);
      const buyer = await newUser();
      const p = await purchases.create({
        kind: 'subscription',
        userId: buyer,
        provider: 'stars',
        planCode: '1m',
        currency: 'XTR',
      });
      const paid = await purchases.finalize({
        purchaseId: p.id,
        provider: 'stars',
        providerEventId: 'fleet-refund',
        providerChargeId: 'fleet-refund',
        amountMinor: p.amountMinor,
        currency: 'XTR',
      });
      await outbox();
      const uuid = paid.subscription!.vpnUuid;
      expect(Object.values(await accessAll(uuid)).filter(Boolean).length).toBeGreaterThanOrEqual(2);
      await purchases.refund({ purchaseId: p.id });
      await outbox();
      expect(await accessAll(uuid)).toEqual({ 'a-1': false, 'b-1': false, 'c-1': false });
    });

    it('retires a node dropped from the configuration: its queued operations are dropped, no new ones go to it', async () => {
      const pending = await grant();
      const without = JSON.stringify(nodesEnv().filter((n) => n.code !== 'c-1'));
      const { app: later } = await createTestApp({
        databaseUrl: db.url,
        env: { ...env(), VPN_NODES: without },
        imports: [SubscriptionsModule, VpnModule],
        logger,
      });
      try {
        const rows = await dbs.query<{ state: string; first_seen_at: Date | null }>(
          'test',
          `SELECT state, first_seen_at FROM vpn_nodes WHERE code = 'c-1'`,
        );
        expect(rows).toEqual([{ state: 'retired', first_seen_at: null }]);
        const ops = await dbs.query<{ node_code: string; state: string }>(
          'test',
          `SELECT node_code, state FROM vpn_operations WHERE subscription_id = $1 ORDER BY node_code`,
          [pending.id],
        );
        expect(ops).toEqual([
          { node_code: 'b-1', state: 'pending' },
          { node_code: 'c-1', state: 'superseded' },
        ]);
        expect(logger.matching(/c-1 left the configuration: retired, 1 queued operation/)).toHaveLength(1);
        expect(await later.get(VpnNodesService).setState('c-1', 'active')).toBe(false);

        const renewed = await later.get(SubscriptionsService).reissue(pending.userId);
        const opsFor = async (uuid: string) =>
          (
            await dbs.query<{ op: string }>(
              'test',
              `SELECT kind || '@' || node_code AS op FROM vpn_operations
              WHERE vpn_uuid = $1 AND state <> 'superseded' ORDER BY kind, node_code`,
              [uuid],
            )
          ).map((r) => r.op);
        // The old key's revoke (superseding its pending provision) goes to the nodes in service, the new
        // key to those with room: never to c-1.
        expect(await opsFor(pending.vpnUuid)).toEqual(['revoke@a-1', 'revoke@b-1']);
        expect(await opsFor(renewed.vpnUuid)).toEqual(['provision@b-1']);
      } finally {
        await later.close();
      }
    });
  },
);
