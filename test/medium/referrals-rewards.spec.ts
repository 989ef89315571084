import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentsErrorCode } from '../../src/payments/payments.errors';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PurchasesService, type FinalizeInput } from '../../src/payments/purchases.service';
import { UsersService } from '../../src/users/users.service';
import { startCoreApp, type CoreApp } from '../support/factories';

let first: CoreApp;
let all: CoreApp;

beforeAll(async () => {
  [first, all] = await Promise.all([
    startCoreApp({
      imports: [PaymentsModule],
      env: { REFERRAL_PERCENT: '10', REFERRAL_REWARD_MODE: 'first' },
    }),
    startCoreApp({ imports: [PaymentsModule], env: { REFERRAL_PERCENT: '15', REFERRAL_REWARD_MODE: 'all' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([first?.close(), all?.close()]);
});

const paid = (p: { id: string; amountMinor: number; currency: string }, eventId: string): FinalizeInput => ({
  purchaseId: p.id,
  provider: 'crypto_pay',
  providerEventId: eventId,
  amountMinor: p.amountMinor,
  currency: p.currency,
});

async function buyTopup(core: CoreApp, userId: number, amountMinor: number, eventId: string) {
  const purchases = core.get(PurchasesService);
  const p = await purchases.create({
    kind: 'topup',
    userId,
    provider: 'crypto_pay',
    amountMinor,
    currency: 'RUB',
  });
  return purchases.finalize(paid(p, eventId));
}

const rewards = (core: CoreApp, referrerId: number) =>
  core.ds.query<{ amount_minor: string; referee_id: string }[]>(
    'SELECT amount_minor, referee_id FROM referral_rewards WHERE referrer_id = $1 ORDER BY id',
    [referrerId],
  );
const balanceOf = async (core: CoreApp, id: number) =>
  Number((await core.ds.query('SELECT balance_minor FROM users WHERE id = $1', [id]))[0].balance_minor);

describe('referral rewards', () => {
  it('credits the referrer once per purchase, even when 20 finalizes race', async () => {
    const referrer = await first.factory.user();
    const referee = await first.factory.user({ referrerId: referrer.id });
    const purchases = first.get(PurchasesService);
    const p = await purchases.create({
      kind: 'topup',
      userId: referee.id,
      provider: 'crypto_pay',
      amountMinor: 40_000,
      currency: 'RUB',
    });
    await Promise.all(Array.from({ length: 20 }, () => purchases.finalize(paid(p, 'race'))));
    expect(await rewards(first, referrer.id)).toEqual([
      { amount_minor: '4000', referee_id: String(referee.id) },
    ]);
    expect(await balanceOf(first, referrer.id)).toBe(4_000);
    const notes = await first.ds.query(`SELECT kind FROM notifications WHERE user_id = $1`, [referrer.id]);
    expect(notes).toEqual([{ kind: 'referral_reward' }]);
  });

  it('in "first" mode rewards only the first paid purchase, also when two race', async () => {
    const referrer = await first.factory.user();
    const referee = await first.factory.user({ referrerId: referrer.id });
    const purchases = first.get(PurchasesService);
    const [a, b] = await Promise.all(
      [10_000, 20_000].map((amountMinor) =>
        purchases.create({
          kind: 'topup',
          userId: referee.id,
          provider: 'crypto_pay',
          amountMinor,
          currency: 'RUB',
        }),
      ),
    );
    await Promise.all([purchases.finalize(paid(a, 'a')), purchases.finalize(paid(b, 'b'))]);
    await buyTopup(first, referee.id, 30_000, 'c');
    const got = await rewards(first, referrer.id);
    expect(got).toHaveLength(1);
    expect(['1000', '2000']).toContain(got[0].amount_minor);
  });

  it('in "all" mode rewards every paid purchase, including a subscription paid in another currency', async () => {
    const referrer = await all.factory.user();
    const referee = await all.factory.user({ referrerId: referrer.id });
    await buyTopup(all, referee.id, 10_000, 'x1');
    const purchases = all.get(PurchasesService);
    const sub = await purchases.create({
      kind: 'subscription',
      userId: referee.id,
      provider: 'crypto_pay',
      planCode: '1m',
      currency: 'USD',
    });
    await purchases.finalize(paid(sub, 'x2'));
    // 15% of the top-up, then 15% of the plan's RUB list price (19 900).
    expect((await rewards(all, referrer.id)).map((r) => r.amount_minor)).toEqual(['1500', '2985']);
  });

  it('rewards nothing for purchases that are pending, expired, or paid from the balance', async () => {
    const referrer = await all.factory.user();
    const referee = await all.factory.user({ referrerId: referrer.id, balanceMinor: 50_000 });
    const purchases = all.get(PurchasesService);
    await purchases.create({
      kind: 'topup',
      userId: referee.id,
      provider: 'crypto_pay',
      amountMinor: 5_000,
      currency: 'RUB',
    });
    const stale = await all.factory.purchase({ userId: referee.id, expiresAt: new Date(Date.now() - 1_000) });
    await purchases.expireStale();
    await expect(
      purchases.finalize(paid({ id: stale.id, amountMinor: stale.amountMinor, currency: 'RUB' }, 'late')),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.PurchaseExpired });
    await purchases.payFromBalance({ userId: referee.id, planCode: '1m' });
    expect(await rewards(all, referrer.id)).toEqual([]);
    expect(await balanceOf(all, referrer.id)).toBe(0);
  });

  it('never lets a user refer themselves', async () => {
    const users = all.get(UsersService);
    const { user } = await users.upsertFromTelegram({ telegramId: 4_242, referrerId: 4_242 });
    expect(user.referrerId).toBeNull();
    await buyTopup(all, user.id, 10_000, 'self');
    expect(await rewards(all, user.id)).toEqual([]);
    await expect(all.ds.query('UPDATE users SET referrer_id = id WHERE id = $1', [user.id])).rejects.toThrow(
      /users_no_self_referral/,
    );
  });
});
