import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DbService } from '../src/database/db.service';
import { PoolMonitor } from '../src/database/pool-monitor';
import { mapLimit } from '../src/vpn/map-limit';
import { ProvisioningOutboxService } from '../src/vpn/provisioning-outbox.service';
import { ReconciliationService } from '../src/vpn/reconciliation.service';
import { VpnNodesService } from '../src/vpn/vpn-nodes.service';
import { XrayGrpcProvider } from '../src/vpn/xray-grpc.provider';
import { startV2rayCore, type V2rayCore } from '../test/support/v2ray-core';
import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { peakConnections, vpnApp } from './vpn-bench-app';

const USERS = Number(process.env.BENCH_VPN_USERS ?? 10_000);
const NODES = ['n1', 'n2', 'n3'] as const;

const provider = (core: V2rayCore) =>
  new XrayGrpcProvider({
    address: core.apiAddress,
    inboundTag: core.inboundTag,
    namespace: 'v2ray.core',
    timeoutMs: 3_000,
    sentinelEmail: 'sentinel@vpn.local',
  });

const nodesEnv = (cores: V2rayCore[], codes: readonly string[]) =>
  JSON.stringify(
    codes.map((code, i) => ({
      code,
      apiAddress: cores[i].apiAddress,
      inboundTag: cores[i].inboundTag,
      host: '127.0.0.1',
      port: cores[i].vlessPort,
    })),
  );

const holdNote = (r: { acquires: number; peak: number; longestHoldMs: number }) =>
  `${r.acquires} connection checkouts, peak ${r.peak} at once, longest hold ${Math.round(r.longestHoldMs)} ms`;

export const bench: Bench = {
  title: 'VPN fleet on three real v2fly cores: outbox, reconciliation and backfill (10,000 users per node)',
  async run() {
    const pg = await benchPostgres();
    const cores: V2rayCore[] = [];
    let app: INestApplicationContext | undefined;
    const direct: XrayGrpcProvider[] = [];
    const figures: BenchFigure[] = [];
    try {
      for (let i = 0; i < NODES.length + 1; i++) cores.push(await startV2rayCore({ targetPort: 9 }));
      for (const c of cores) direct.push(provider(c));
      const baseEnv = { XRAY_PROTO_NAMESPACE: 'v2ray.core', VPN_OUTBOX_BATCH: '200' };
      const signal = () => AbortSignal.timeout(600_000);

      // Baseline: every user added to each of the three cores one call at a time, no database.
      const users = Array.from({ length: USERS }, (_, i) => ({
        email: `seq${i}@bench.local`,
        uuid: randomUUID(),
      }));
      let t0 = performance.now();
      for (const p of direct.slice(0, NODES.length)) for (const u of users) await p.addUser(u);
      const seqMs = performance.now() - t0;
      const seqRate = (USERS * NODES.length) / (seqMs / 1000);
      for (const p of direct.slice(0, NODES.length)) await mapLimit(users, 16, (u) => p.removeUser(u.email));

      const nest = (app = await vpnApp(pg.url, { ...baseEnv, VPN_NODES: nodesEnv(cores, NODES) }));
      const db = nest.get(DbService);
      await db.query('bench', `INSERT INTO users (id) SELECT g FROM generate_series(1, $1) g`, [USERS]);
      await db.query(
        'bench',
        `INSERT INTO subscriptions (user_id, status, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
         SELECT g, 'active', gen_random_uuid(), 'u' || g || '@bench.local', md5(g::text) || md5(random()::text),
                now() + interval '30 days', 'purchase' FROM generate_series(1, $1) g`,
        [USERS],
      );
      // What the writer queues for a paid key on three active nodes: one provision per node.
      await db.query(
        'bench',
        `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, notify_user, node_code)
         SELECT s.id, s.user_id, 'provision', s.vpn_uuid, s.vpn_email, true, n.code
           FROM subscriptions s CROSS JOIN vpn_nodes n WHERE n.state = 'active' ORDER BY s.id, n.code`,
      );
      // 10,000 purchases arrive over time, and autovacuum analyzes the table as they do; one bulk insert
      // would leave the planner believing the table empty.
      await db.query('bench', 'ANALYZE');
      const monitor = nest.get(PoolMonitor);
      t0 = performance.now();
      const outbox = await peakConnections(monitor, 'vpn.', () =>
        nest.get(ProvisioningOutboxService).runOnce({ signal: signal() }),
      );
      const outboxMs = performance.now() - t0;
      const sample = await db.query<{ email: string; uuid: string }>(
        'bench',
        `SELECT vpn_email AS email, vpn_uuid AS uuid FROM subscriptions ORDER BY random() LIMIT 50`,
      );
      for (const p of direct.slice(0, NODES.length)) {
        const missing = (await mapLimit(sample, 16, (u) => p.addUser(u))).filter((r) => r === 'created');
        if (missing.length)
          throw new Error(`${missing.length}/50 sampled users missing on a node after the outbox`);
      }
      const [{ n: done }] = await db.query<{ n: string }>(
        'bench',
        `SELECT count(*) AS n FROM vpn_operations WHERE state = 'done'`,
      );
      figures.push(
        {
          name: `direct sequential gRPC adds, ${USERS} users on each of 3 cores`,
          value: seqRate,
          unit: 'ops/s',
          note: `${Math.round(seqMs)} ms for ${USERS * NODES.length} adds, no database`,
        },
        {
          name: `outbox: ${USERS} subscriptions on 3 nodes (${USERS * NODES.length} provisions, one lane per node)`,
          value: (USERS * NODES.length) / (outboxMs / 1000),
          unit: 'ops/s',
          baseline: { name: 'direct sequential gRPC adds', value: seqRate },
          note: `${done}/${USERS * NODES.length} done in ${Math.round(outboxMs)} ms; ${holdNote(outbox)}`,
        },
      );

      const reconcile = nest.get(ReconciliationService);
      t0 = performance.now();
      const pass = await peakConnections(monitor, 'vpn.', () => reconcile.runOnce({ signal: signal() }));
      const reconcileMs = performance.now() - t0;
      figures.push({
        name: `reconciliation of 3 × ${USERS} (blind: every add answered "already exists")`,
        value: reconcileMs,
        unit: 'ms',
        baseline: { name: 'direct sequential adds of the same users', value: seqMs },
        note: `${holdNote(pass)}; checked=${reconcile.lastSummary?.checked} errors=${reconcile.lastSummary?.errors}`,
      });
      await nest.close();
      app = undefined;

      // A fourth node added to the configuration: every active subscription is queued for it, then delivered.
      const codes = [...NODES, 'n4'];
      const later = (app = await vpnApp(pg.url, { ...baseEnv, VPN_NODES: nodesEnv(cores, codes) }));
      const laterMonitor = later.get(PoolMonitor);
      t0 = performance.now();
      const queued = await peakConnections(laterMonitor, 'vpn.', () =>
        later.get(VpnNodesService).backfill('n4'),
      );
      const queueMs = performance.now() - t0;
      t0 = performance.now();
      const delivered = await peakConnections(laterMonitor, 'vpn.', () =>
        later.get(ProvisioningOutboxService).runOnce({ signal: signal() }),
      );
      const deliverMs = performance.now() - t0;
      const missing = (await mapLimit(sample, 16, (u) => direct[3].addUser(u))).filter(
        (r) => r === 'created',
      );
      if (missing.length) throw new Error(`${missing.length}/50 sampled users missing on the new node`);
      const perNodeSeqMs = seqMs / NODES.length;
      figures.push(
        {
          name: `backfill of a new node: ${USERS} provisions queued (batches of 500)`,
          value: queueMs,
          unit: 'ms',
          baseline: { name: `direct sequential adds of ${USERS} users to one core`, value: perNodeSeqMs },
          note: `${queued.result} queued; ${holdNote(queued)}`,
        },
        {
          name: `backfill of a new node: ${USERS} provisions delivered by the outbox`,
          value: deliverMs,
          unit: 'ms',
          baseline: { name: `direct sequential adds of ${USERS} users to one core`, value: perNodeSeqMs },
          note: holdNote(delivered),
        },
      );
      return figures;
    } finally {
      for (const p of direct) await p.close();
      await app?.close();
      for (const c of cores) await c.stop();
      await pg.stop();
    }
  },
};
