import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../src/config/app-config';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { DbService } from '../src/database/db.service';
import { PoolMonitor } from '../src/database/pool-monitor';
import { FakeXrayCore } from '../src/demo/fake-xray-core';
import { JobsModule } from '../src/jobs/jobs.module';
import { SignalsModule } from '../src/signals/signals.module';
import { SubscriptionsModule } from '../src/subscriptions/subscriptions.module';
import { TrafficAccountingService } from '../src/traffic/traffic-accounting.service';
import { TrafficModule } from '../src/traffic/traffic.module';
import { VpnFleetService } from '../src/vpn/vpn-fleet.service';
import type { Bench, BenchFigure } from './bench.types';
import { BENCH_ENV, benchPostgres } from './bench-postgres';

const USERS = Number(process.env.BENCH_TRAFFIC_USERS ?? 10_000);
const NODES = ['n1', 'n2', 'n3'];
/** One user in ten is on a limited plan and goes over it in the second pass. */
const LIMITED_EVERY = 10;

async function trafficApp(url: string, env: Record<string, string>): Promise<INestApplicationContext> {
  const config = AppConfig.fromEnv({
    ...BENCH_ENV,
    DATABASE_URL: url,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    ...env,
  });
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      ScheduleModule.forRoot(),
      SignalsModule,
      DatabaseModule.forRoot(url),
      JobsModule,
      // Writes PLANS into the plans table, where the limits are read.
      SubscriptionsModule,
      TrafficModule,
    ],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
}

/** Connections held at once, checkouts and the longest hold by callers labelled `traffic.*` while `fn` runs. */
async function holds<T>(monitor: PoolMonitor, fn: () => Promise<T>) {
  let live = 0;
  let peak = 0;
  let acquires = 0;
  let maxHoldMs = 0;
  let on = true;
  monitor.onAcquire((e) => {
    if (!on || !e.ok || !e.caller.startsWith('traffic.')) return;
    acquires++;
    peak = Math.max(peak, ++live);
  });
  monitor.onRelease((e) => {
    if (!on || !e.caller.startsWith('traffic.')) return;
    live--;
    maxHoldMs = Math.max(maxHoldMs, e.holdMs);
  });
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  on = false;
  return { result, ms, peak, acquires, maxHoldMs };
}

export const bench: Bench = {
  title: `Traffic job: 3 nodes × ${USERS.toLocaleString('en')} users (in-process Xray API fakes) vs reading the counters alone`,
  async run() {
    const pg = await benchPostgres();
    const cores = await Promise.all(NODES.map(() => new FakeXrayCore('xray', 'vless-in').start()));
    let app: INestApplicationContext | undefined;
    try {
      const nodes = NODES.map((code, i) => ({
        code,
        apiAddress: cores[i].apiAddress,
        inboundTag: 'vless-in',
        host: '127.0.0.1',
        port: cores[i].vlessPort,
      }));
      const nest = (app = await trafficApp(pg.url, {
        VPN_NODES: JSON.stringify(nodes),
        XRAY_PROTO_NAMESPACE: 'xray',
        VPN_API_TIMEOUT_MS: '10000',
        PLANS: JSON.stringify([
          { code: '1m', days: 30, prices: { RUB: 100 } },
          { code: 'lim', days: 30, prices: { RUB: 100 }, trafficGb: 1 },
        ]),
      }));
      const db = nest.get(DbService);
      await db.query('bench', `INSERT INTO users (id) SELECT g FROM generate_series(1, $1) g`, [USERS]);
      await db.query(
        'bench',
        `INSERT INTO subscriptions (user_id, status, plan_code, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
         SELECT g, 'active', CASE WHEN g % $2 = 0 THEN 'lim' ELSE '1m' END, gen_random_uuid(), 'u' || g || '@bench.local',
                md5(g::text) || md5(random()::text), now() + interval '30 days', 'purchase' FROM generate_series(1, $1) g`,
        [USERS, LIMITED_EVERY],
      );
      const fill = (round: number) => {
        for (const core of cores)
          for (let g = 1; g <= USERS; g++) {
            // Limited users reach 100 % of 1 GB (over 3 nodes) in round 2.
            const down = g % LIMITED_EVERY === 0 ? round * 200 * 2 ** 20 : round * 1_000_000 + g;
            core.counters.set(`user>>>u${g}@bench.local>>>traffic>>>uplink`, round * 10_000 + g);
            core.counters.set(`user>>>u${g}@bench.local>>>traffic>>>downlink`, down);
          }
      };
      const lanes = nest.get(VpnFleetService).lanes;
      const readAll = async () => {
        const t0 = performance.now();
        const r = await Promise.all(
          lanes.map((l) => l.provider.traffic({ signal: AbortSignal.timeout(30_000) })),
        );
        return { ms: performance.now() - t0, users: r.reduce((n, s) => n + (s?.users.length ?? 0), 0) };
      };
      const monitor = nest.get(PoolMonitor);
      const job = nest.get(TrafficAccountingService);
      const pass = () => holds(monitor, () => job.runOnce({ signal: AbortSignal.timeout(120_000) }));

      fill(1);
      await readAll(); // warm-up: channels connected, proto loaded
      const baseline = [await readAll(), await readAll(), await readAll()].sort((a, b) => a.ms - b.ms)[1];
      const first = await pass();
      fill(2);
      const second = await pass();
      const same = await pass();
      const [{ blocked }] = await db.query<{ blocked: number }>(
        'bench',
        `SELECT count(*)::int AS blocked FROM traffic_periods WHERE blocked_period_start IS NOT NULL`,
      );
      const [{ revokes }] = await db.query<{ revokes: number }>(
        'bench',
        `SELECT count(*)::int AS revokes FROM vpn_operations WHERE kind = 'revoke'`,
      );
      if (first.result.processed !== NODES.length * USERS)
        throw new Error(`first pass read ${first.result.processed}`);
      if (blocked !== USERS / LIMITED_EVERY)
        throw new Error(`${blocked} blocked, expected ${USERS / LIMITED_EVERY}`);
      const base = {
        name: `reading the counters alone (3 × QueryStats, ${baseline.users} users, no database)`,
        value: baseline.ms,
      };
      const note = (p: Awaited<ReturnType<typeof pass>>) =>
        `${p.acquires} connection checkouts, peak ${p.peak} held at once, longest hold ${Math.round(p.maxHoldMs)} ms`;
      const figures: BenchFigure[] = [
        {
          name: 'reading the counters alone',
          value: baseline.ms,
          unit: 'ms',
          note: `${baseline.users} counters pairs over 3 nodes in parallel`,
        },
        {
          name: 'traffic pass, first read (30,000 new rows per node × user)',
          value: first.ms,
          unit: 'ms',
          baseline: base,
          note: note(first),
        },
        {
          name: `traffic pass, every counter changed; ${USERS / LIMITED_EVERY} users over their limit`,
          value: second.ms,
          unit: 'ms',
          baseline: base,
          note: `${note(second)}; ${blocked} blocked, ${revokes} revokes queued (one per node)`,
        },
        {
          name: 'traffic pass, nothing changed since the last read',
          value: same.ms,
          unit: 'ms',
          baseline: base,
          note: note(same),
        },
      ];
      return figures;
    } finally {
      await app?.close();
      for (const c of cores) await c.stop();
      await pg.stop();
    }
  },
};
