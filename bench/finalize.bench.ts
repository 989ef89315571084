import { DbService } from '../src/database/db.service';
import { PurchasesService, type FinalizeInput } from '../src/payments/purchases.service';
import type { Purchase } from '../src/payments/purchase';
import type { Bench, BenchFigure } from './bench.types';
import { benchPostgres } from './bench-postgres';
import { coreContext } from './core-context';

const SEQUENTIAL = 400;
const PARALLEL = 400;
const CONCURRENCY = 8;
const CONTENDED = 50;
const CONTENDED_ROUNDS = 10;

function confirmation(p: Purchase, eventId: string): FinalizeInput {
  return {
    purchaseId: p.id,
    provider: 'crypto_pay',
    providerEventId: eventId,
    amountMinor: p.amountMinor,
    currency: p.currency,
  };
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export const bench: Bench = {
  title: 'Finalize throughput: exactly-once payment with all effects vs a bare conditional update',
  async run() {
    const pg = await benchPostgres();
    const app = await coreContext(pg.url, { DB_POOL_SIZE: '12' });
    try {
      const db = app.get(DbService);
      const purchases = app.get(PurchasesService);
      await db.query('bench.users', `INSERT INTO users (id) SELECT g FROM generate_series(1, 2000) g`);
      // Referrers make every finalize do the full work: credit, ledger, reward, two notices.
      await db.query('bench.referrers', `UPDATE users SET referrer_id = id + 1000 WHERE id <= 1000`);
      const make = (n: number, offset: number) =>
        Promise.all(
          Array.from({ length: n }, (_, i) =>
            purchases.create({
              kind: 'topup',
              userId: ((offset + i) % 1000) + 1,
              provider: 'crypto_pay',
              amountMinor: 10_000,
              currency: 'RUB',
            }),
          ),
        );

      // Baseline: the bare exactly-once step (one conditional UPDATE in its own transaction), same rows.
      const bare = await make(SEQUENTIAL, 0);
      let t0 = performance.now();
      for (const p of bare)
        await db.transaction('bench.bare', (em) =>
          em.query(
            `UPDATE purchases SET status = 'paid', paid_at = now() WHERE id = $1 AND status = 'pending'`,
            [p.id],
          ),
        );
      const bareRate = SEQUENTIAL / ((performance.now() - t0) / 1000);

      const seq = await make(SEQUENTIAL, 400);
      t0 = performance.now();
      for (const p of seq) await purchases.finalize(confirmation(p, `seq-${p.id}`));
      const seqRate = SEQUENTIAL / ((performance.now() - t0) / 1000);

      const par = await make(PARALLEL, 800);
      t0 = performance.now();
      await inParallel(par, CONCURRENCY, (p) => purchases.finalize(confirmation(p, `par-${p.id}`)));
      const parRate = PARALLEL / ((performance.now() - t0) / 1000);

      // 50 callers confirming one purchase at once (duplicate webhooks + pollers) vs 50 distinct purchases.
      const contendedMs: number[] = [];
      const distinctMs: number[] = [];
      let credited = 0;
      for (let r = 0; r < CONTENDED_ROUNDS; r++) {
        const [one] = await make(1, 1200 + r);
        t0 = performance.now();
        const results = await Promise.all(
          Array.from({ length: CONTENDED }, (_, i) =>
            purchases.finalize(confirmation(one, `c-${r}-${i % 3}`)),
          ),
        );
        contendedMs.push(performance.now() - t0);
        credited += results.filter((x) => x.outcome === 'paid').length;
        const distinct = await make(CONTENDED, 1300 + r * CONTENDED);
        t0 = performance.now();
        await Promise.all(distinct.map((p) => purchases.finalize(confirmation(p, `d-${p.id}`))));
        distinctMs.push(performance.now() - t0);
      }
      const [{ drift }] = await db.query<{ drift: string }>(
        'bench.drift',
        `SELECT count(*) AS drift FROM (SELECT u.id FROM users u LEFT JOIN balance_ledger l ON l.user_id = u.id
         GROUP BY u.id HAVING u.balance_minor <> COALESCE(sum(l.delta_minor), 0)) d`,
      );
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const figures: BenchFigure[] = [
        {
          name: 'finalize, sequential',
          value: seqRate,
          unit: 'ops/s',
          baseline: { name: 'bare conditional UPDATE + commit', value: bareRate },
          note: 'top-up with ledger, referral reward, 2 notifications, event row',
        },
        {
          name: `finalize, ${CONCURRENCY} parallel callers, distinct purchases`,
          value: parRate,
          unit: 'ops/s',
          baseline: { name: 'finalize, sequential', value: seqRate },
        },
        {
          name: `${CONTENDED} concurrent finalizes of ONE purchase, wall time`,
          value: avg(contendedMs),
          unit: 'ms',
          baseline: {
            name: `${CONTENDED} finalizes of ${CONTENDED} distinct purchases`,
            value: avg(distinctMs),
          },
          note: `mean of ${CONTENDED_ROUNDS} rounds`,
        },
        {
          name: 'purchases credited per contended round',
          value: credited / CONTENDED_ROUNDS,
          unit: 'purchases',
          note: credited === CONTENDED_ROUNDS ? 'exactly once: PASS' : 'FAIL: must be 1',
        },
        {
          name: 'users whose ledger sum differs from the balance',
          value: Number(drift),
          unit: 'users',
          note: Number(drift) === 0 ? 'PASS' : 'FAIL',
        },
      ];
      return figures;
    } finally {
      await app.close();
      await pg.stop();
    }
  },
};
