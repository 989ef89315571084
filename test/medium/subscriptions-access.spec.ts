import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Clock } from '../../src/clock/clock';
import { PlanCatalog } from '../../src/subscriptions/plan-catalog';
import { ReissueTooSoonError, SubscriptionsErrorCode } from '../../src/subscriptions/subscriptions.errors';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service';
import { UsersErrorCode } from '../../src/users/users.errors';
import { startCoreApp, type CoreApp } from '../support/factories';

const DAY_MS = 86_400_000;
let core: CoreApp;
let subs: SubscriptionsService;

beforeAll(async () => {
  core = await startCoreApp({ imports: [SubscriptionsModule], env: { TRIAL_DAYS: '3' } });
  subs = core.get(SubscriptionsService);
});
afterAll(async () => {
  await core?.close();
});

const ops = (subscriptionId: string) =>
  core.ds.query<{ kind: string; vpn_uuid: string; state: string; notify_user: boolean }[]>(
    `SELECT kind, vpn_uuid, state, notify_user FROM vpn_operations WHERE subscription_id = $1 ORDER BY id`,
    [subscriptionId],
  );
const grants = (subscriptionId: string) =>
  core.ds.query<{ source: string; days: number }[]>(
    `SELECT source, days FROM subscription_grants WHERE subscription_id = $1 ORDER BY id`,
    [subscriptionId],
  );

describe('trial', () => {
  it('issues a fresh UUID, token and lower-case e-mail once, and queues the first provision', async () => {
    const u = await core.factory.user();
    const before = Date.now();
    const s = await subs.startTrial(u.id);
    expect(s).toMatchObject({ status: 'active', isTrial: true, lastGrantSource: 'trial', planCode: null });
    expect(s.vpnEmail).toBe(`u${u.id}@vpn.local`);
    expect(s.subToken.length).toBeGreaterThanOrEqual(32);
    expect(s.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3 * DAY_MS);
    expect(s.expiresAt.getTime()).toBeLessThan(Date.now() + 3 * DAY_MS + 1_000);
    expect(await ops(s.id)).toEqual([
      { kind: 'provision', vpn_uuid: s.vpnUuid, state: 'pending', notify_user: true },
    ]);
    expect(await grants(s.id)).toEqual([{ source: 'trial', days: 3 }]);

    await expect(subs.startTrial(u.id)).rejects.toMatchObject({
      code: SubscriptionsErrorCode.TrialAlreadyUsed,
    });
  });

  it('is refused to a user who has a paid subscription', async () => {
    const paid = await core.factory.subscription();
    await expect(subs.startTrial(paid.userId)).rejects.toMatchObject({
      code: SubscriptionsErrorCode.TrialNotAvailable,
    });
    const [{ trial_used_at }] = await core.ds.query('SELECT trial_used_at FROM users WHERE id = $1', [
      paid.userId,
    ]);
    expect(trial_used_at).toBeNull();
  });

  it('is granted once when many requests race', async () => {
    const u = await core.factory.user();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => subs.startTrial(u.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [{ n }] = await core.ds.query('SELECT count(*)::int AS n FROM subscriptions WHERE user_id = $1', [
      u.id,
    ]);
    expect(n).toBe(1);
  });

  it('reports an unknown user with a typed error', async () => {
    await expect(subs.startTrial(888_888_888)).rejects.toMatchObject({ code: UsersErrorCode.UserNotFound });
  });
});

describe('renewal', () => {
  it('keeps the UUID and token and extends from the current expiry while active', async () => {
    const s = await subs.startTrial((await core.factory.user()).id);
    const { subscription: renewed, issued } = await subs.grantByAdmin({ userId: s.userId, days: 30 });
    expect(issued).toBe(false);
    expect(renewed.vpnUuid).toBe(s.vpnUuid);
    expect(renewed.subToken).toBe(s.subToken);
    expect(renewed.isTrial).toBe(false);
    expect(renewed.expiresAt.getTime()).toBe(s.expiresAt.getTime() + 30 * DAY_MS);
    // An active key stays on the core: no new operation.
    expect((await ops(s.id)).map((o) => o.kind)).toEqual(['provision']);
    expect((await grants(s.id)).map((g) => g.source)).toEqual(['trial', 'admin']);
  });

  it('extends a lapsed subscription from now and provisions the same UUID again', async () => {
    const expiredAt = new Date(Date.now() - 10 * DAY_MS);
    const s = await core.factory.subscription({ status: 'expired', expiresAt: expiredAt, expiredAt });
    const { subscription: renewed } = await subs.grantByAdmin({ userId: s.userId, days: 30 });
    expect(renewed.status).toBe('active');
    expect(renewed.vpnUuid).toBe(s.vpnUuid);
    expect(renewed.subToken).toBe(s.subToken);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * DAY_MS);
    expect(await ops(s.id)).toEqual([
      { kind: 'provision', vpn_uuid: s.vpnUuid, state: 'pending', notify_user: true },
    ]);
  });

  it('uses the injected clock for "now"', async () => {
    const clock = core.get(Clock);
    const future = new Date(Date.now() + 400 * DAY_MS);
    const spy = vi.spyOn(clock, 'now').mockReturnValue(future);
    try {
      const s = await core.factory.subscription({ expiresAt: new Date(Date.now() + DAY_MS) });
      const { subscription } = await subs.grantByAdmin({ userId: s.userId, days: 1 });
      expect(subscription.expiresAt.getTime()).toBe(future.getTime() + DAY_MS);
    } finally {
      spy.mockRestore();
    }
  });

  it('grants an admin request once when the same update is delivered again, also concurrently', async () => {
    const user = await core.factory.user();
    const first = await subs.grantByAdmin({ userId: user.id, days: 10, requestKey: 'tg:9001' });
    expect(first.issued).toBe(true);
    const again = await Promise.all(
      [1, 2, 3].map(() => subs.grantByAdmin({ userId: user.id, days: 10, requestKey: 'tg:9001' })),
    );
    expect(again.every((r) => r.duplicate && r.subscription.vpnUuid === first.subscription.vpnUuid)).toBe(
      true,
    );
    const other = await subs.grantByAdmin({ userId: user.id, days: 10, requestKey: 'tg:9002' });
    expect(other.duplicate).toBeUndefined();
    expect(other.subscription.expiresAt.getTime()).toBe(first.subscription.expiresAt.getTime() + 10 * DAY_MS);
    expect((await grants(first.subscription.id)).map((g) => g.source)).toEqual(['admin', 'admin']);
  });

  it('refuses zero or negative days with a typed error', async () => {
    const s = await core.factory.subscription();
    for (const days of [0, -3, 1.5])
      await expect(subs.grantByAdmin({ userId: s.userId, days })).rejects.toMatchObject({
        code: SubscriptionsErrorCode.InvalidDays,
      });
    expect(await grants(String(s.id))).toEqual([]);
  });
});

describe('reissue', () => {
  it('changes UUID and token, revokes the old UUID and supersedes its pending provision', async () => {
    const s = await subs.startTrial((await core.factory.user()).id);
    const r = await subs.reissue(s.userId);
    expect(r.vpnUuid).not.toBe(s.vpnUuid);
    expect(r.subToken).not.toBe(s.subToken);
    expect(r.vpnEmail).toBe(s.vpnEmail);
    expect(r.reissuedAt).toBeInstanceOf(Date);
    expect(await ops(s.id)).toEqual([
      { kind: 'provision', vpn_uuid: s.vpnUuid, state: 'superseded', notify_user: true },
      { kind: 'revoke', vpn_uuid: s.vpnUuid, state: 'pending', notify_user: false },
      { kind: 'provision', vpn_uuid: r.vpnUuid, state: 'pending', notify_user: true },
    ]);
  });

  it('is refused without an active subscription', async () => {
    const u = await core.factory.user();
    await expect(subs.reissue(u.id)).rejects.toMatchObject({ code: SubscriptionsErrorCode.NoSubscription });
    const lapsed = await core.factory.subscription({
      status: 'expired',
      expiresAt: new Date(Date.now() - DAY_MS),
    });
    await expect(subs.reissue(lapsed.userId)).rejects.toMatchObject({
      code: SubscriptionsErrorCode.SubscriptionNotActive,
    });
    expect(await ops(lapsed.id)).toEqual([]);
  });

  it('happens once for two presses at the same time, and the refusal says how long to wait', async () => {
    const s = await subs.startTrial((await core.factory.user()).id);
    await expect(subs.assertCanReissue(s.userId)).resolves.toMatchObject({ id: s.id });
    const results = await Promise.allSettled([subs.reissue(s.userId), subs.reissue(s.userId)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refusal = results.find((r) => r.status === 'rejected')!.reason as ReissueTooSoonError;
    expect(refusal).toBeInstanceOf(ReissueTooSoonError);
    expect(refusal.code).toBe(SubscriptionsErrorCode.ReissueTooSoon);
    expect(refusal.waitMs).toBeGreaterThan(9 * 60_000);
    expect(refusal.waitMs).toBeLessThanOrEqual(10 * 60_000);
    await expect(subs.assertCanReissue(s.userId)).rejects.toBeInstanceOf(ReissueTooSoonError);
  });
});

describe('auto-renew switch and plans', () => {
  it('needs a plan: a trial cannot switch it on, a paid plan can', async () => {
    const trial = await subs.startTrial((await core.factory.user()).id);
    await expect(subs.setAutoRenew(trial.userId, true)).rejects.toMatchObject({
      code: SubscriptionsErrorCode.AutoRenewNeedsPlan,
    });
    const paid = await core.factory.subscription({ planCode: '3m' });
    expect((await subs.setAutoRenew(paid.userId, true)).autoRenew).toBe(true);
    expect((await subs.setAutoRenew(paid.userId, false)).autoRenew).toBe(false);
  });

  it('lists the default plans and refuses an unknown one with a typed error', () => {
    const catalog = core.get(PlanCatalog);
    expect(catalog.list().map((p) => [p.code, p.durationDays])).toEqual([
      ['1m', 30],
      ['3m', 90],
      ['6m', 180],
      ['12m', 365],
    ]);
    expect(() => catalog.get('2y')).toThrow(
      expect.objectContaining({ code: SubscriptionsErrorCode.UnknownPlan }),
    );
  });

  it('writes the configured plans to the plans table', async () => {
    const rows = await core.ds.query(
      `SELECT code, duration_days, prices, stars_price FROM plans ORDER BY sort_order`,
    );
    expect(rows[0]).toEqual({
      code: '1m',
      duration_days: 30,
      prices: { RUB: 19_900, USD: 249 },
      stars_price: 150,
    });
    expect(rows).toHaveLength(4);
  });
});
