import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalanceService } from '../../src/payments/balance.service';
import { PaymentsErrorCode } from '../../src/payments/payments.errors';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PurchasesService } from '../../src/payments/purchases.service';
import { SubscriptionsErrorCode } from '../../src/subscriptions/subscriptions.errors';
import { UsersErrorCode } from '../../src/users/users.errors';
import { startCoreApp, type CoreApp } from '../support/factories';

let core: CoreApp;
let purchases: PurchasesService;
let balance: BalanceService;

beforeAll(async () => {
  core = await startCoreApp({ imports: [PaymentsModule] });
  purchases = core.get(PurchasesService);
  balance = core.get(BalanceService);
});
afterAll(async () => {
  await core?.close();
});

const PRICE_1M = 19_900;

/** Every user whose balance differs from the sum of their ledger rows (must be none). */
const ledgerDrift = () =>
  core.ds.query(`SELECT u.id, u.balance_minor, COALESCE(sum(l.delta_minor), 0) AS ledger
                 FROM users u LEFT JOIN balance_ledger l ON l.user_id = u.id
                 GROUP BY u.id HAVING u.balance_minor <> COALESCE(sum(l.delta_minor), 0)`);

const footprint = async (userId: number) =>
  core.ds.query(
    `SELECT (SELECT balance_minor FROM users WHERE id = $1) AS balance,
            (SELECT count(*) FROM balance_ledger WHERE user_id = $1) AS ledger,
            (SELECT count(*) FROM purchases WHERE user_id = $1) AS purchases,
            (SELECT count(*) FROM subscriptions WHERE user_id = $1) AS subs,
            (SELECT count(*) FROM notifications WHERE user_id = $1) AS notes,
            (SELECT count(*) FROM vpn_operations WHERE user_id = $1) AS ops`,
    [userId],
  );

describe('pay from balance', () => {
  it('debits and grants in one transaction', async () => {
    const u = await core.factory.user({ balanceMinor: 25_000 });
    const r = await purchases.payFromBalance({ userId: u.id, planCode: '1m' });
    expect(r.balanceAfter).toBe(25_000 - PRICE_1M);
    expect(r.purchase).toMatchObject({
      status: 'paid',
      provider: 'balance',
      amountMinor: PRICE_1M,
      currency: 'RUB',
    });
    expect(r.subscription).toMatchObject({ status: 'active', planCode: '1m' });
    const ledger = await balance.history(u.id);
    expect(ledger.at(-1)).toMatchObject({
      deltaMinor: -PRICE_1M,
      balanceAfter: 5_100,
      reason: 'purchase',
      reference: r.purchase.id,
    });
    expect(await ledgerDrift()).toEqual([]);
  });

  it('never drives the balance negative when concurrent payments race', async () => {
    const u = await core.factory.user({ balanceMinor: PRICE_1M * 3 + 500 });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => purchases.payFromBalance({ userId: u.id, planCode: '1m' })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(3);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: PaymentsErrorCode.InsufficientFunds,
      });
    expect(await balance.getBalance(u.id)).toBe(500);
    const [{ n }] = await core.ds.query(
      `SELECT count(*)::int AS n FROM subscription_grants g
      JOIN subscriptions s ON s.id = g.subscription_id WHERE s.user_id = $1`,
      [u.id],
    );
    expect(n).toBe(3);
    expect(await ledgerDrift()).toEqual([]);
  });

  it('keeps the ledger sum equal to the balance across top-ups, purchases, rewards and refunds', async () => {
    const referrer = await core.factory.user();
    const u = await core.factory.user({ referrerId: referrer.id, balanceMinor: 1_000 });
    const topups = await Promise.all(
      [30_000, 20_000].map((amountMinor) =>
        purchases.create({
          kind: 'topup',
          userId: u.id,
          provider: 'crypto_pay',
          amountMinor,
          currency: 'RUB',
        }),
      ),
    );
    await Promise.all(
      topups.map((p, i) =>
        purchases.finalize({
          purchaseId: p.id,
          provider: 'crypto_pay',
          providerEventId: `t${i}`,
          amountMinor: p.amountMinor,
          currency: 'RUB',
        }),
      ),
    );
    const bought = await purchases.payFromBalance({ userId: u.id, planCode: '1m' });
    await purchases.refund({ purchaseId: bought.purchase.id });
    await balance.adminAdjust({ userId: u.id, deltaMinor: -700, reference: 'admin-msg-1' });
    expect(await balance.getBalance(u.id)).toBe(1_000 + 50_000 - 700);
    expect(await ledgerDrift()).toEqual([]);
  });

  it('refuses insufficient funds with a typed error and changes nothing', async () => {
    const u = await core.factory.user({ balanceMinor: PRICE_1M - 1 });
    const before = await footprint(u.id);
    await expect(purchases.payFromBalance({ userId: u.id, planCode: '1m' })).rejects.toMatchObject({
      code: PaymentsErrorCode.InsufficientFunds,
    });
    expect(await footprint(u.id)).toEqual(before);
  });

  it('refuses an unknown plan or user with typed errors and changes nothing', async () => {
    const u = await core.factory.user({ balanceMinor: 100_000 });
    const before = await footprint(u.id);
    await expect(purchases.payFromBalance({ userId: u.id, planCode: '5y' })).rejects.toMatchObject({
      code: SubscriptionsErrorCode.UnknownPlan,
    });
    await expect(purchases.payFromBalance({ userId: 999_000_001, planCode: '1m' })).rejects.toMatchObject({
      code: UsersErrorCode.UserNotFound,
    });
    expect(await footprint(u.id)).toEqual(before);
  });
});

describe('admin adjustments', () => {
  it('refuses a zero amount, a debit below zero, and the same reference twice', async () => {
    const u = await core.factory.user({ balanceMinor: 100 });
    await expect(balance.adminAdjust({ userId: u.id, deltaMinor: 0, reference: 'a' })).rejects.toMatchObject({
      code: PaymentsErrorCode.InvalidAmount,
    });
    await expect(
      balance.adminAdjust({ userId: u.id, deltaMinor: -101, reference: 'b' }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.InsufficientFunds });
    expect(await balance.adminAdjust({ userId: u.id, deltaMinor: 50, reference: 'c' })).toBe(150);
    await expect(balance.adminAdjust({ userId: u.id, deltaMinor: 50, reference: 'c' })).rejects.toMatchObject(
      {
        code: PaymentsErrorCode.AlreadyApplied,
      },
    );
    expect(await balance.getBalance(u.id)).toBe(150);
    expect(await ledgerDrift()).toEqual([]);
  });
});
