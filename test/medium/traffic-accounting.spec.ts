import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { startFakeAgent } from '../../src/demo/fake-xray-core-agent';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service';
import { TrafficAccountingService } from '../../src/traffic/traffic-accounting.service';
import { TrafficCountersRepository } from '../../src/traffic/traffic-counters.repository';
import { TrafficModule } from '../../src/traffic/traffic.module';
import { TrafficService } from '../../src/traffic/traffic.service';
import { ProvisioningOutboxService } from '../../src/vpn/provisioning-outbox.service';
import { ReconciliationService } from '../../src/vpn/reconciliation.service';
import { VpnFleetService } from '../../src/vpn/vpn-fleet.service';
import { VpnModule } from '../../src/vpn/vpn.module';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTestApp } from '../support/test-app';
import { startTargetServer, vlessGet } from '../support/v2ray-access';
import { startV2rayCore, v2rayAvailable, type V2rayCore } from '../support/v2ray-core';

const NODES = ['a', 'b'] as const;
type Node = (typeof NODES)[number];
const TOKEN = 'agent-token-0123456789';

describe.skipIf(!v2rayAvailable())(
  'traffic accounting on real v2fly cores (node b behind the HTTP agent)',
  () => {
    let db: TestDatabase;
    let app: INestApplication;
    let dbs: DbService;
    let target: Awaited<ReturnType<typeof startTargetServer>>;
    let agent: Awaited<ReturnType<typeof startFakeAgent>>;
    const cores = {} as Record<Node, V2rayCore>;
    const startedAt = {} as Record<Node, number>;
    let nextUser = 8_100_000;
    const signal = () => AbortSignal.timeout(20_000);
    const pass = () => app.get(TrafficAccountingService).runOnce({ signal: signal() });
    const outbox = () => app.get(ProvisioningOutboxService).runOnce({ signal: signal() });
    const push = async (node: Node, uuid: string, times = 1) => {
      for (let i = 0; i < times; i++) {
        const r = await vlessGet({ vlessPort: cores[node].vlessPort, uuid, targetPort: target.port });
        expect(r.accepted).toBe(true);
      }
    };
    const accepted = async (node: Node, uuid: string) =>
      (await vlessGet({ vlessPort: cores[node].vlessPort, uuid, targetPort: target.port })).accepted;
    /** What the core itself says about one user (the counters the job reads). */
    const coreCounters = async (node: Node, email: string) => {
      const lane = app.get(VpnFleetService).lane(node)!;
      const t = await lane.provider.traffic({ signal: signal() });
      const u = t?.users.find((x) => x.email === email);
      return { up: u?.uplinkBytes ?? 0, down: u?.downlinkBytes ?? 0, startedAt: t?.coreStartedAt };
    };
    const stored = async (subscriptionId: string) =>
      Object.fromEntries(
        (
          await dbs.query<{ node_code: string; up: string; down: string }>(
            'test',
            `SELECT node_code, uplink_bytes AS up, downlink_bytes AS down FROM traffic_node_usage
            WHERE subscription_id = $1 ORDER BY node_code`,
            [subscriptionId],
          )
        ).map((r) => [r.node_code, { up: Number(r.up), down: Number(r.down) }]),
      ) as Partial<Record<Node, { up: number; down: number }>>;
    const paid = async (planCode: string | null) => {
      const userId = nextUser++;
      await dbs.query('test', `INSERT INTO users (id) VALUES ($1)`, [userId]);
      const g = await app.get(SubscriptionsService).grantByAdmin({ userId, days: 30 });
      // Admin grants carry no plan; the plan decides the limit, so the test sets the one a purchase would.
      if (planCode)
        await dbs.query('test', `UPDATE subscriptions SET plan_code = $2 WHERE id = $1`, [
          g.subscription.id,
          planCode,
        ]);
      await outbox();
      return g.subscription;
    };
    const notices = (userId: number) =>
      dbs.query<{ kind: string; dedupe_key: string }>(
        'test',
        `SELECT kind, dedupe_key FROM notifications WHERE user_id = $1 AND kind LIKE 'traffic%' ORDER BY id`,
        [userId],
      );

    beforeAll(async () => {
      // ~4 KB per request, so a limit of 10,000 bytes is 80 % after two requests and over after three.
      target = await startTargetServer({ padBytes: 4_000 });
      for (const n of NODES) {
        cores[n] = await startV2rayCore({ targetPort: target.port });
        startedAt[n] = Date.now();
      }
      agent = await startFakeAgent({
        token: TOKEN,
        core: {
          address: cores.b.apiAddress,
          inboundTag: cores.b.inboundTag,
          namespace: 'v2ray.core',
          timeoutMs: 2_000,
          sentinelEmail: 'sentinel@vpn.local',
        },
      });
      db = await createTestDatabase();
      const nodes = [
        { code: 'a', apiAddress: cores.a.apiAddress, host: '127.0.0.1', port: cores.a.vlessPort },
        {
          code: 'b',
          provider: 'http-agent',
          agentUrl: agent.url,
          agentToken: TOKEN,
          host: '127.0.0.1',
          port: cores.b.vlessPort,
        },
      ];
      ({ app } = await createTestApp({
        databaseUrl: db.url,
        env: {
          XRAY_INBOUND_TAG: 'vless-test',
          XRAY_PROTO_NAMESPACE: 'v2ray.core',
          VPN_API_TIMEOUT_MS: '2000',
          VPN_NODES: JSON.stringify(nodes),
          PLANS: JSON.stringify([
            { code: '1m', days: 30, prices: { RUB: 100 } },
            { code: 'lim', days: 30, prices: { RUB: 100 }, trafficGb: 10_000 / 1024 ** 3 },
            {
              code: 'mon',
              days: 30,
              prices: { RUB: 100 },
              trafficGb: 10_000 / 1024 ** 3,
              trafficReset: 'monthly',
            },
          ]),
        },
        imports: [SubscriptionsModule, VpnModule, TrafficModule],
      }));
      dbs = app.get(DbService);
    });
    afterAll(async () => {
      await app?.close();
      await agent?.stop();
      for (const n of NODES) await cores[n]?.stop();
      await target?.close();
      await db?.drop();
    });

    it('counts the real traffic of the tunnel per node and per subscription, as the cores count it', async () => {
      const sub = await paid(null);
      await push('a', sub.vpnUuid, 1);
      await push('b', sub.vpnUuid, 2);
      const summary = await pass();

      const a = await coreCounters('a', sub.vpnEmail);
      const b = await coreCounters('b', sub.vpnEmail);
      expect(a.down).toBeGreaterThan(4_000);
      expect(b.down).toBeGreaterThan(2 * a.down - 200);
      expect(await stored(sub.id)).toEqual({ a: { up: a.up, down: a.down }, b: { up: b.up, down: b.down } });
      const usage = await app.get(TrafficService).usage(sub.id);
      expect(usage).toMatchObject({
        uploadBytes: a.up + b.up,
        downloadBytes: a.down + b.down,
        limitBytes: null,
        overLimit: false,
      });
      expect(summary.failed).toBe(0);
    });

    it('adds nothing when the same counters are read again, and only the new bytes after more traffic', async () => {
      const sub = await paid(null);
      await push('a', sub.vpnUuid, 1);
      await pass();
      const first = await stored(sub.id);
      await pass();
      await pass();
      expect(await stored(sub.id)).toEqual(first);

      await push('a', sub.vpnUuid, 1);
      await pass();
      const core = await coreCounters('a', sub.vpnEmail);
      expect(await stored(sub.id)).toEqual({ a: { up: core.up, down: core.down } });
      expect(core.down).toBeGreaterThan(first.a!.down);

      // Another replica, or this one after a restart, has no memory of the last read: the table alone decides.
      const again = await dbs.transaction('test', (em) =>
        app
          .get(TrafficCountersRepository)
          .accumulate(
            em,
            'a',
            [{ email: sub.vpnEmail, uplinkBytes: core.up, downlinkBytes: core.down }],
            core.startedAt,
          ),
      );
      expect(again).toEqual({ uplinkBytes: 0, downlinkBytes: 0, near: [] });
      expect(await stored(sub.id)).toEqual({ a: { up: core.up, down: core.down } });
    });

    it('keeps counting across a real core restart, whether the counters restart below or above the last read', async () => {
      const sub = await paid(null);
      await push('a', sub.vpnUuid, 3);
      await push('b', sub.vpnUuid, 1);
      await pass();
      const before = await stored(sub.id);

      // Uptime is whole seconds: let the restarted cores start clearly later than the first ones.
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt.b + 3_000 - Date.now())));
      await cores.a.restart();
      await cores.b.restart();
      await app.get(ReconciliationService).runOnce({ signal: signal() });
      // After the restart: node a sees less than before (counter went down), node b more (only uptime tells).
      await push('a', sub.vpnUuid, 1);
      await push('b', sub.vpnUuid, 3);
      const a = await coreCounters('a', sub.vpnEmail);
      const b = await coreCounters('b', sub.vpnEmail);
      expect(a.down).toBeLessThan(before.a!.down);
      expect(b.down).toBeGreaterThan(before.b!.down);
      expect(b.startedAt).toBeDefined();

      await pass();
      await pass();
      expect(await stored(sub.id)).toEqual({
        a: { up: before.a!.up + a.up, down: before.a!.down + a.down },
        b: { up: before.b!.up + b.up, down: before.b!.down + b.down },
      });
    });

    it('warns once at 80 %, and at 100 % notifies once and removes the key from every node', async () => {
      const sub = await paid('lim');
      await push('a', sub.vpnUuid, 2);
      await pass();
      await pass();
      expect((await notices(sub.userId)).map((n) => n.kind)).toEqual(['traffic_warning']);
      expect(await accepted('b', sub.vpnUuid)).toBe(true);

      await push('b', sub.vpnUuid, 1);
      await pass();
      await pass();
      expect((await notices(sub.userId)).map((n) => n.kind)).toEqual([
        'traffic_warning',
        'traffic_exhausted',
      ]);
      expect(await app.get(TrafficService).usage(sub.id)).toMatchObject({
        limitBytes: 10_000,
        overLimit: true,
      });
      await outbox();
      expect(await accepted('a', sub.vpnUuid)).toBe(false);
      expect(await accepted('b', sub.vpnUuid)).toBe(false);

      // Reconciliation converges to "absent" for a key over its limit, it does not put it back.
      await app.get(ReconciliationService).runOnce({ signal: signal() });
      await pass();
      expect(await accepted('a', sub.vpnUuid)).toBe(false);
      expect(await notices(sub.userId)).toHaveLength(2);
    });

    it('takes a reissued key off again while the subscription is over its limit', async () => {
      const sub = await paid('lim');
      await push('a', sub.vpnUuid, 3);
      await pass();
      await outbox();
      const reissued = await app.get(SubscriptionsService).reissue(sub.userId);
      await outbox();
      expect(await accepted('a', reissued.vpnUuid)).toBe(true);

      await pass();
      await outbox();
      expect(await accepted('a', reissued.vpnUuid)).toBe(false);
      expect(await accepted('b', reissued.vpnUuid)).toBe(false);
      expect(await accepted('a', sub.vpnUuid)).toBe(false);
    });

    it('gives the key back on every node after a renewal, with the new period starting at zero', async () => {
      const sub = await paid('lim');
      await push('a', sub.vpnUuid, 3);
      await pass();
      await outbox();
      expect(await accepted('a', sub.vpnUuid)).toBe(false);

      await app.get(SubscriptionsService).grantByAdmin({ userId: sub.userId, days: 30 });
      await pass();
      await outbox();
      expect(await accepted('a', sub.vpnUuid)).toBe(true);
      expect(await accepted('b', sub.vpnUuid)).toBe(true);
      expect(await app.get(TrafficService).usage(sub.id)).toMatchObject({
        uploadBytes: 0,
        downloadBytes: 0,
        overLimit: false,
      });
    });

    it('gives a monthly plan its key back when the month turns over, and warns again in the new month', async () => {
      const sub = await paid('mon');
      await push('a', sub.vpnUuid, 3);
      await pass();
      await outbox();
      expect(await accepted('a', sub.vpnUuid)).toBe(false);
      const [exhausted] = (await notices(sub.userId)).filter((n) => n.kind === 'traffic_exhausted');

      // The month turned over: the stored period (and the purchase) now lie in the previous month.
      await dbs.query(
        'test',
        `UPDATE traffic_periods SET period_start = period_start - interval '40 days',
              blocked_period_start = blocked_period_start - interval '40 days' WHERE subscription_id = $1`,
        [sub.id],
      );
      await dbs.query(
        'test',
        `UPDATE subscription_grants SET created_at = created_at - interval '40 days' WHERE subscription_id = $1`,
        [sub.id],
      );
      await pass();
      await outbox();
      expect(await accepted('a', sub.vpnUuid)).toBe(true);
      const usage = await app.get(TrafficService).usage(sub.id);
      expect(usage?.overLimit).toBe(false);
      expect(usage?.periodStart.getUTCDate()).toBe(1);

      await push('b', sub.vpnUuid, 3);
      await pass();
      const again = (await notices(sub.userId)).filter((n) => n.kind === 'traffic_exhausted');
      expect(again).toHaveLength(2);
      expect(again[1].dedupe_key).not.toBe(exhausted.dedupe_key);
    });

    it('still counts the other nodes while one node cannot be read', async () => {
      const sub = await paid(null);
      await push('a', sub.vpnUuid, 1);
      await push('b', sub.vpnUuid, 1);
      await agent.stop();
      const r = await pass();
      expect(r.failed).toBe(1);
      const a = await coreCounters('a', sub.vpnEmail);
      expect((await stored(sub.id)).a).toEqual({ up: a.up, down: a.down });
      expect((await stored(sub.id)).b).toBeUndefined();
    });
  },
);
