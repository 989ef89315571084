import { AppConfig } from '../src/config/app-config';
import { DbService } from '../src/database/db.service';
import { PoolMonitor } from '../src/database/pool-monitor';
import { JobRunnerService } from '../src/jobs/job-runner.service';
import type { Bench } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { coreContext } from './core-context';

const ROWS = 100_000;
const HOLD_TARGET_MS = 100;

async function seed(db: DbService, from: number): Promise<void> {
  await db.query(
    'bench.seed-users',
    `INSERT INTO users (id) SELECT $1::bigint + g FROM generate_series(1, $2::int) g`,
    [from, ROWS],
  );
  await db.query(
    'bench.seed-subscriptions',
    `INSERT INTO subscriptions (user_id, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source, plan_code)
     SELECT $1::bigint + g, gen_random_uuid(), 'u' || ($1::bigint + g) || '@vpn.local', md5(g::text || random()::text),
            now() - interval '1 second' * g, 'purchase', '1m'
     FROM generate_series(1, $2::int) g`,
    [from, ROWS],
  );
  await db.query('bench.analyze', 'ANALYZE');
}

export const bench: Bench = {
  title: `Expiry sweep of ${ROWS.toLocaleString('en')} expired subscriptions: batches vs one big transaction`,
  async run() {
    const pg = await benchPostgres();
    // A long statement timeout only so the baseline's single huge transaction can finish at all.
    const app = await coreContext(pg.url, {
      DB_STATEMENT_TIMEOUT_MS: '600000',
      DB_IDLE_IN_TX_TIMEOUT_MS: '600000',
    });
    try {
      const db = app.get(DbService);
      const monitor = app.get(PoolMonitor);
      const budget = app.get(AppConfig).jobs.connectionBudget;
      let live = 0;
      let peak = 0;
      let longest = 0;
      let holds = 0;
      let tracking = '';
      monitor.onAcquire((e) => {
        if (e.ok && tracking && e.caller.startsWith(tracking)) peak = Math.max(peak, ++live);
      });
      monitor.onRelease((e) => {
        if (!tracking || !e.caller.startsWith(tracking)) return;
        live--;
        holds++;
        longest = Math.max(longest, e.holdMs);
      });

      // Baseline: the predecessor's shape, every expired row in one transaction on one connection.
      await seed(db, 10_000_000);
      tracking = 'bench.one-transaction';
      let t0 = performance.now();
      await db.transaction('bench.one-transaction', (em) =>
        em.query(
          `WITH e AS (UPDATE subscriptions SET status = 'expired', expired_at = now()
                      WHERE status = 'active' AND expires_at <= now() RETURNING id, user_id, vpn_uuid, vpn_email, expires_at)
           , ops AS (INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email)
                     SELECT id, user_id, 'revoke', vpn_uuid, vpn_email FROM e)
           INSERT INTO notifications (user_id, kind, dedupe_key)
           SELECT user_id, 'subscription_expired', 'expired:' || id || ':' || floor(extract(epoch FROM expires_at))::bigint FROM e
           ON CONFLICT (dedupe_key) DO NOTHING`,
        ),
      );
      const baselineMs = performance.now() - t0;
      const baselineHold = longest;

      await seed(db, 20_000_000);
      tracking = 'job.expiry-sweep';
      live = peak = longest = holds = 0;
      t0 = performance.now();
      const outcome = await app.get(JobRunnerService).runNow('expiry-sweep');
      const sweepMs = performance.now() - t0;
      const [{ left }] = await db.query<{ left: string }>(
        'bench.left',
        `SELECT count(*) AS left FROM subscriptions WHERE status = 'active' AND expires_at <= now()`,
      );
      return [
        {
          name: 'sweep total time',
          value: sweepMs,
          unit: 'ms',
          baseline: { name: 'one transaction for all rows', value: baselineMs },
          note: `outcome=${outcome}, ${left} due rows left`,
        },
        {
          name: 'sweep throughput',
          value: ROWS / (sweepMs / 1000),
          unit: 'rows/s',
          baseline: { name: 'one transaction', value: ROWS / (baselineMs / 1000) },
        },
        {
          name: 'longest connection hold by the sweep',
          value: longest,
          unit: 'ms',
          baseline: { name: 'one transaction hold', value: baselineHold },
          note:
            longest <= HOLD_TARGET_MS
              ? `target <= ${HOLD_TARGET_MS} ms: PASS`
              : `target <= ${HOLD_TARGET_MS} ms: FAIL`,
        },
        {
          name: 'peak connections held by the sweep',
          value: peak,
          unit: 'connections',
          note: peak <= budget ? `job budget ${budget}: PASS` : `job budget ${budget}: FAIL`,
        },
        { name: 'connection acquisitions (batches + lease)', value: holds, unit: 'acquires' },
      ];
    } finally {
      await app.close();
      await pg.stop();
    }
  },
};
