import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DbService } from '../src/database/db.service';
import { PoolMonitor } from '../src/database/pool-monitor';
import { mapLimit } from '../src/vpn/map-limit';
import { ProvisioningOutboxService } from '../src/vpn/provisioning-outbox.service';
import { ReconciliationService } from '../src/vpn/reconciliation.service';
import { XrayGrpcProvider } from '../src/vpn/xray-grpc.provider';
import { startV2rayCore } from '../test/support/v2ray-core';
import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { peakConnections, vpnApp } from './vpn-bench-app';

const USERS = Number(process.env.BENCH_VPN_USERS ?? 10_000);

export const bench: Bench = {
  title: 'VPN provisioning on the real v2fly core: outbox throughput and reconciliation (10,000 users)',
  async run() {
    const pg = await benchPostgres();
    const core = await startV2rayCore({ targetPort: 9 }).catch(async (err: unknown) => {
      await pg.stop();
      throw err;
    });
    const env = {
      XRAY_API_ADDRESS: core.apiAddress,
      XRAY_INBOUND_TAG: core.inboundTag,
      XRAY_PROTO_NAMESPACE: 'v2ray.core',
      VPN_OUTBOX_BATCH: '200',
    };
    let app: INestApplicationContext | undefined;
    const direct = new XrayGrpcProvider({
      address: core.apiAddress,
      inboundTag: core.inboundTag,
      namespace: 'v2ray.core',
      timeoutMs: 3_000,
      sentinelEmail: 'sentinel@vpn.local',
    });
    const figures: BenchFigure[] = [];
    try {
      const nest = (app = await vpnApp(pg.url, env));
      const signal = () => AbortSignal.timeout(300_000);
      // Baseline: the core's own speed, one add at a time and 16 in flight, no database involved.
      const seqUsers = Array.from({ length: USERS }, (_, i) => ({
        email: `seq${i}@bench.local`,
        uuid: randomUUID(),
      }));
      let t0 = performance.now();
      for (const u of seqUsers) await direct.addUser(u);
      const seqRate = USERS / ((performance.now() - t0) / 1000);
      const parUsers = Array.from({ length: USERS }, (_, i) => ({
        email: `par${i}@bench.local`,
        uuid: randomUUID(),
      }));
      t0 = performance.now();
      await mapLimit(parUsers, 16, (u) => direct.addUser(u));
      const parRate = USERS / ((performance.now() - t0) / 1000);
      await mapLimit([...seqUsers, ...parUsers], 16, (u) => direct.removeUser(u.email));

      const db = nest.get(DbService);
      await db.query('bench', `INSERT INTO users (id) SELECT g FROM generate_series(1, $1) g`, [USERS]);
      await db.query(
        'bench',
        `INSERT INTO subscriptions (user_id, status, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
         SELECT g, 'active', gen_random_uuid(), 'u' || g || '@bench.local', md5(g::text) || md5(random()::text),
                now() + interval '30 days', 'purchase' FROM generate_series(1, $1) g`,
        [USERS],
      );
      await db.query(
        'bench',
        `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, notify_user)
         SELECT id, user_id, 'provision', vpn_uuid, vpn_email, true FROM subscriptions`,
      );
      const monitor = nest.get(PoolMonitor);
      t0 = performance.now();
      const outbox = await peakConnections(monitor, 'vpn.outbox', () =>
        nest.get(ProvisioningOutboxService).runOnce({ signal: signal() }),
      );
      const outboxRate = USERS / ((performance.now() - t0) / 1000);
      // Proof of delivery: the core already knows a sample of the provisioned users.
      const sample = await db.query<{ email: string; uuid: string }>(
        'bench',
        `SELECT vpn_email AS email, vpn_uuid AS uuid FROM subscriptions ORDER BY random() LIMIT 100`,
      );
      const missing = (await mapLimit(sample, 16, (u) => direct.addUser(u))).filter(
        (r) => r === 'created',
      ).length;
      if (missing) throw new Error(`${missing}/100 sampled users were not on the core after the outbox run`);
      const [{ n }] = await db.query<{ n: string }>(
        'bench',
        `SELECT count(*) AS n FROM vpn_operations WHERE state = 'done'`,
      );
      figures.push(
        {
          name: 'direct sequential gRPC adds',
          value: seqRate,
          unit: 'ops/s',
          note: `${USERS} users, no database`,
        },
        {
          name: 'direct gRPC adds, 16 in flight',
          value: parRate,
          unit: 'ops/s',
          baseline: { name: 'sequential', value: seqRate },
        },
        {
          name: 'outbox: provision ops delivered (claim → add → done + key_ready notice)',
          value: outboxRate,
          unit: 'ops/s',
          baseline: { name: 'direct sequential gRPC adds', value: seqRate },
          note: `${n}/${USERS} done; batch 200, 16 calls in flight; ${outbox.acquires} connection checkouts, peak ${outbox.peak} at once`,
        },
      );

      const reconcile = nest.get(ReconciliationService);
      t0 = performance.now();
      const steady = await peakConnections(monitor, 'vpn.reconcile', () =>
        reconcile.runOnce({ signal: signal() }),
      );
      const steadyMs = performance.now() - t0;
      const steadySummary = { ...reconcile.lastSummary };
      await core.restart();
      t0 = performance.now();
      const lost = await peakConnections(monitor, 'vpn.reconcile', () =>
        reconcile.runOnce({ signal: signal() }),
      );
      const lostMs = performance.now() - t0;
      const baselineMs = (USERS / seqRate) * 1000;
      figures.push(
        {
          name: 'reconciliation pass, core in sync (blind: 10,000 adds answered "already exists")',
          value: steadyMs,
          unit: 'ms',
          baseline: { name: 'direct sequential adds of 10,000 users', value: baselineMs },
          note: `${steady.acquires} connection checkouts, peak ${steady.peak} at once; ${JSON.stringify(steadySummary)}`,
        },
        {
          name: 'reconciliation pass after a core restart (10,000 re-added)',
          value: lostMs,
          unit: 'ms',
          baseline: { name: 'direct sequential adds of 10,000 users', value: baselineMs },
          note: `${lost.acquires} connection checkouts, peak ${lost.peak} at once; added=${reconcile.lastSummary?.added} state_lost=${reconcile.lastSummary?.stateLost}`,
        },
      );
      return figures;
    } finally {
      await direct.close();
      await app?.close();
      await core.stop();
      await pg.stop();
    }
  },
};
