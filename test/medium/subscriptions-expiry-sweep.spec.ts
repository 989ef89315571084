import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolMonitor } from '../../src/database/pool-monitor';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { ExpiryService } from '../../src/subscriptions/expiry.service';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { startCoreApp, type CoreApp } from '../support/factories';

const HOUR_MS = 3_600_000;
let core: CoreApp;
let expiry: ExpiryService;

beforeAll(async () => {
  core = await startCoreApp({
    imports: [SubscriptionsModule],
    env: { JOBS_CONNECTION_BUDGET: '2', AUTO_RENEW_GRACE_HOURS: '6' },
  });
  expiry = core.get(ExpiryService);
});
afterAll(async () => {
  await core?.close();
});

const statusOf = async (id: string) =>
  (await core.ds.query('SELECT status FROM subscriptions WHERE id = $1', [id]))[0].status as string;

describe('expiry sweep', () => {
  it('marks lapsed subscriptions expired, queues the revoke and notifies once per period', async () => {
    const lapsed = await core.factory.subscription({ expiresAt: new Date(Date.now() - 60_000) });
    const current = await core.factory.subscription({ expiresAt: new Date(Date.now() + HOUR_MS) });
    // A provision still pending for the lapsed key must not add it back after the revoke.
    await core.ds.query(
      `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email) VALUES ($1, $2, 'provision', $3, $4)`,
      [lapsed.id, lapsed.userId, lapsed.vpnUuid, lapsed.vpnEmail],
    );
    expect(await expiry.expireBatch()).toBeGreaterThanOrEqual(1);
    expect(await expiry.expireBatch()).toBe(0);
    expect(await statusOf(lapsed.id)).toBe('expired');
    expect(await statusOf(current.id)).toBe('active');
    expect(
      await core.ds.query(
        'SELECT kind, state, vpn_uuid FROM vpn_operations WHERE subscription_id = $1 ORDER BY id',
        [lapsed.id],
      ),
    ).toEqual([
      { kind: 'provision', state: 'superseded', vpn_uuid: lapsed.vpnUuid },
      { kind: 'revoke', state: 'pending', vpn_uuid: lapsed.vpnUuid },
    ]);
    const notes = await core.ds.query('SELECT kind, dedupe_key FROM notifications WHERE user_id = $1', [
      lapsed.userId,
    ]);
    expect(notes).toEqual([
      {
        kind: 'subscription_expired',
        dedupe_key: `expired:${lapsed.id}:${Math.floor(lapsed.expiresAt.getTime() / 1000)}`,
      },
    ]);
  });

  it('leaves a covered auto-renew subscription to auto-renewal during the grace period, but not after', async () => {
    const covered = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 50_000,
      expiresAt: new Date(Date.now() - HOUR_MS),
    });
    const poor = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 100,
      expiresAt: new Date(Date.now() - HOUR_MS),
    });
    const pastGrace = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 50_000,
      expiresAt: new Date(Date.now() - 7 * HOUR_MS),
    });
    await expiry.expireBatch();
    expect(await statusOf(covered.id)).toBe('active');
    expect(await statusOf(poor.id)).toBe('expired');
    expect(await statusOf(pastGrace.id)).toBe('expired');
  });

  it('works through a backlog in batches inside the job budget, holding each connection briefly', async () => {
    await core.ds.query(
      `INSERT INTO users (id) SELECT 5000000 + g FROM generate_series(1, 1200) g;
       INSERT INTO subscriptions (user_id, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
       SELECT 5000000 + g, gen_random_uuid(), 'u' || (5000000 + g) || '@vpn.local', md5(random()::text || g),
              now() - interval '1 minute' * g, 'purchase'
       FROM generate_series(1, 1200) g`,
    );
    const monitor = core.get(PoolMonitor);
    let live = 0;
    let peak = 0;
    const holds: number[] = [];
    monitor.onAcquire((e) => {
      if (e.ok && e.caller.startsWith('job.expiry-sweep')) peak = Math.max(peak, ++live);
    });
    monitor.onRelease((e) => {
      if (!e.caller.startsWith('job.expiry-sweep')) return;
      live--;
      holds.push(e.holdMs);
    });
    expect(await core.get(JobRunnerService).runNow('expiry-sweep')).toBe('ok');
    const [{ n }] = await core.ds.query(
      `SELECT count(*)::int AS n FROM subscriptions WHERE user_id BETWEEN 5000001 AND 5001200 AND status = 'expired'`,
    );
    expect(n).toBe(1200);
    const [{ ops }] = await core.ds.query(
      `SELECT count(*)::int AS ops FROM vpn_operations WHERE user_id BETWEEN 5000001 AND 5001200 AND kind = 'revoke'`,
    );
    expect(ops).toBe(1200);
    // Three batches of at most 500 rows, each its own transaction (plus the lease statement).
    expect(holds.length).toBeGreaterThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(2);
    expect(Math.max(...holds)).toBeLessThan(2_000);
  });

  it('gives up at the deadline between batches instead of holding on', async () => {
    const abort = new AbortController();
    abort.abort();
    let progressed = 0;
    const n = await expiry.sweep({ signal: abort.signal, progress: () => progressed++ });
    expect(n).toBe(0);
    expect(progressed).toBe(0);
  });
});
