import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentsErrorCode } from '../../src/payments/payments.errors';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PurchasesService, type FinalizeInput } from '../../src/payments/purchases.service';
import { SubscriptionsErrorCode } from '../../src/subscriptions/subscriptions.errors';
import { UsersErrorCode } from '../../src/users/users.errors';
import { startCoreApp, type CoreApp } from '../support/factories';

let core: CoreApp;
let purchases: PurchasesService;

beforeAll(async () => {
  core = await startCoreApp({ imports: [PaymentsModule] });
  purchases = core.get(PurchasesService);
});
afterAll(async () => {
  await core?.close();
});

const one = async <T = number>(sql: string, params: unknown[] = []): Promise<T> =>
  Object.values((await core.ds.query(sql, params))[0] as Record<string, T>)[0];

/** Rows in every table a finalize may write: nothing may change when it is refused. */
const footprint = async () =>
  core.ds.query(`SELECT
    (SELECT count(*) FROM balance_ledger) AS ledger, (SELECT count(*) FROM subscriptions) AS subs,
    (SELECT count(*) FROM subscription_grants) AS grants, (SELECT count(*) FROM notifications) AS notes,
    (SELECT count(*) FROM vpn_operations) AS ops, (SELECT count(*) FROM referral_rewards) AS rewards,
    (SELECT count(*) FROM processed_provider_events) AS events,
    (SELECT count(*) FROM purchases WHERE status <> 'pending') AS settled,
    (SELECT sum(balance_minor) FROM users) AS balances`);

const confirmation = (
  p: { id: string; amountMinor: number; currency: string },
  eventId: string,
): FinalizeInput => ({
  purchaseId: p.id,
  provider: 'crypto_pay',
  providerEventId: eventId,
  amountMinor: p.amountMinor,
  currency: p.currency,
});

describe('finalize exactly once', () => {
  it('credits a paid top-up once when 20 finalizes race', async () => {
    const u = await core.factory.user();
    const p = await purchases.create({
      kind: 'topup',
      userId: u.id,
      provider: 'crypto_pay',
      amountMinor: 50_000,
      currency: 'RUB',
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => purchases.finalize(confirmation(p, 'upd-1'))),
    );
    expect(results.filter((r) => r.outcome === 'paid')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already_paid')).toHaveLength(19);
    expect(await one('SELECT balance_minor::int FROM users WHERE id = $1', [u.id])).toBe(50_000);
    expect(await one('SELECT count(*)::int FROM balance_ledger WHERE user_id = $1', [u.id])).toBe(1);
    expect(
      await one(`SELECT count(*)::int FROM notifications WHERE user_id = $1 AND kind = 'topup_received'`, [
        u.id,
      ]),
    ).toBe(1);
  });

  it('grants a paid subscription once when a webhook and a status poll race on one invoice', async () => {
    const u = await core.factory.user();
    const p = await purchases.create({
      kind: 'subscription',
      userId: u.id,
      provider: 'crypto_pay',
      planCode: '1m',
      currency: 'USD',
    });
    expect(p).toMatchObject({ amountMinor: 249, currency: 'USD', status: 'pending' });
    expect(await purchases.attachInvoice({ purchaseId: p.id, providerInvoiceId: 'inv-77' })).toBe(true);
    const calls = Array.from({ length: 10 }, (_, i) =>
      purchases.finalize({
        ...confirmation(p, i % 2 ? `webhook:${9000 + i}` : 'poll:inv-77'),
        providerInvoiceId: 'inv-77',
      }),
    );
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.outcome === 'paid')).toHaveLength(1);
    expect(await one('SELECT count(*)::int FROM subscriptions WHERE user_id = $1', [u.id])).toBe(1);
    expect(await one(`SELECT count(*)::int FROM subscription_grants WHERE purchase_id = $1`, [p.id])).toBe(1);
    expect(await one(`SELECT count(*)::int FROM vpn_operations WHERE user_id = $1`, [u.id])).toBe(1);
    expect(await one(`SELECT count(*)::int FROM notifications WHERE dedupe_key = $1`, [`paid:${p.id}`])).toBe(
      1,
    );
    expect(
      await one('SELECT count(*)::int FROM processed_provider_events WHERE purchase_id = $1', [p.id]),
    ).toBe(1);
    const sub = (await core.ds.query('SELECT * FROM subscriptions WHERE user_id = $1', [u.id]))[0];
    expect(sub).toMatchObject({
      status: 'active',
      is_trial: false,
      plan_code: '1m',
      last_grant_source: 'purchase',
    });
  });

  it('renews an existing subscription on a second paid purchase and says so', async () => {
    const s = await core.factory.subscription();
    const p = await purchases.create({
      kind: 'subscription',
      userId: s.userId,
      provider: 'crypto_pay',
      planCode: '3m',
      currency: 'RUB',
    });
    const r = await purchases.finalize(confirmation(p, 'renew-1'));
    expect(r.outcome).toBe('paid');
    expect(r.subscription).toMatchObject({ vpnUuid: s.vpnUuid, subToken: s.subToken, planCode: '3m' });
    expect(r.subscription!.expiresAt.getTime()).toBe(s.expiresAt.getTime() + 90 * 86_400_000);
    expect(await one('SELECT kind FROM notifications WHERE dedupe_key = $1', [`renewed:${p.id}`])).toBe(
      'subscription_renewed',
    );
  });

  it('answers a repeat of a settled purchase or provider event with "already paid"', async () => {
    const p = await purchases.create({
      kind: 'topup',
      userId: (await core.factory.user()).id,
      provider: 'crypto_pay',
      amountMinor: 100,
      currency: 'RUB',
    });
    expect((await purchases.finalize(confirmation(p, 'e-1'))).outcome).toBe('paid');
    const before = await footprint();
    expect((await purchases.finalize(confirmation(p, 'e-1'))).outcome).toBe('already_paid');
    expect((await purchases.finalize(confirmation(p, 'e-2'))).outcome).toBe('already_paid');
    expect(await footprint()).toEqual(before);
  });

  it('credits a Stars payment keyed by its charge id, and refuses that charge for another purchase', async () => {
    const u = await core.factory.user();
    const p = await purchases.create({
      kind: 'subscription',
      userId: u.id,
      provider: 'stars',
      planCode: '1m',
      currency: 'XTR',
    });
    expect(p.amountMinor).toBe(150);
    const stars = (id: string, charge: string): FinalizeInput => ({
      purchaseId: id,
      provider: 'stars',
      providerEventId: charge,
      providerChargeId: charge,
      amountMinor: 150,
      currency: 'XTR',
    });
    const r = await Promise.all([
      purchases.finalize(stars(p.id, 'ch-1')),
      purchases.finalize(stars(p.id, 'ch-1')),
    ]);
    expect(r.map((x) => x.outcome).sort()).toEqual(['already_paid', 'paid']);
    const other = await purchases.create({
      kind: 'subscription',
      userId: u.id,
      provider: 'stars',
      planCode: '1m',
      currency: 'XTR',
    });
    const before = await footprint();
    await expect(purchases.finalize(stars(other.id, 'ch-1'))).rejects.toMatchObject({
      code: PaymentsErrorCode.ProviderEventReused,
    });
    await expect(
      purchases.finalize({ ...stars(other.id, 'ch-2'), providerChargeId: 'ch-1' }),
    ).rejects.toMatchObject({
      code: PaymentsErrorCode.ProviderEventReused,
    });
    expect(await footprint()).toEqual(before);
    expect((await purchases.get(other.id)).status).toBe('pending');
  });
});

describe('finalize refuses bad confirmations with typed errors and writes nothing', () => {
  it('refuses another amount, currency, provider or invoice', async () => {
    const p = await purchases.create({
      kind: 'topup',
      userId: (await core.factory.user()).id,
      provider: 'crypto_pay',
      amountMinor: 1_000,
      currency: 'RUB',
    });
    await purchases.attachInvoice({ purchaseId: p.id, providerInvoiceId: 'inv-1' });
    const before = await footprint();
    const base = confirmation(p, 'bad-1');
    await expect(purchases.finalize({ ...base, amountMinor: 999 })).rejects.toMatchObject({
      code: PaymentsErrorCode.AmountMismatch,
    });
    await expect(purchases.finalize({ ...base, currency: 'USD' })).rejects.toMatchObject({
      code: PaymentsErrorCode.AmountMismatch,
    });
    await expect(purchases.finalize({ ...base, provider: 'stars' })).rejects.toMatchObject({
      code: PaymentsErrorCode.ProviderMismatch,
    });
    await expect(purchases.finalize({ ...base, providerInvoiceId: 'inv-2' })).rejects.toMatchObject({
      code: PaymentsErrorCode.InvoiceMismatch,
    });
    expect(await footprint()).toEqual(before);
    expect((await purchases.get(p.id)).status).toBe('pending');
  });

  it('refuses an unknown purchase', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])
      await expect(
        purchases.finalize({
          purchaseId: id,
          provider: 'crypto_pay',
          providerEventId: 'x',
          amountMinor: 1,
          currency: 'RUB',
        }),
      ).rejects.toMatchObject({ code: PaymentsErrorCode.PurchaseNotFound });
  });

  it('refuses a purchase that expired unpaid', async () => {
    const p = await core.factory.purchase({
      kind: 'topup',
      amountMinor: 500,
      expiresAt: new Date(Date.now() - 60_000),
    });
    expect(await purchases.expireStale()).toBeGreaterThanOrEqual(1);
    expect((await purchases.get(p.id)).status).toBe('expired');
    const before = await footprint();
    await expect(
      purchases.finalize(confirmation({ id: p.id, amountMinor: 500, currency: 'RUB' }, 'late')),
    ).rejects.toMatchObject({
      code: PaymentsErrorCode.PurchaseExpired,
    });
    expect(await footprint()).toEqual(before);
  });
});

describe('creating purchases', () => {
  it('refuses zero, negative or fractional amounts, unknown plans and users with typed errors', async () => {
    const u = await core.factory.user();
    const before = await one('SELECT count(*)::int FROM purchases');
    for (const amountMinor of [0, -100, 10.5])
      await expect(
        purchases.create({
          kind: 'topup',
          userId: u.id,
          provider: 'crypto_pay',
          amountMinor,
          currency: 'RUB',
        }),
      ).rejects.toMatchObject({ code: PaymentsErrorCode.InvalidAmount });
    await expect(
      purchases.create({
        kind: 'subscription',
        userId: u.id,
        provider: 'crypto_pay',
        planCode: 'nope',
        currency: 'RUB',
      }),
    ).rejects.toMatchObject({ code: SubscriptionsErrorCode.UnknownPlan });
    await expect(
      purchases.create({
        kind: 'subscription',
        userId: u.id,
        provider: 'crypto_pay',
        planCode: '1m',
        currency: 'EUR',
      }),
    ).rejects.toMatchObject({ code: SubscriptionsErrorCode.PlanNotPriced });
    await expect(
      purchases.create({
        kind: 'topup',
        userId: 999_999_991,
        provider: 'crypto_pay',
        amountMinor: 100,
        currency: 'RUB',
      }),
    ).rejects.toMatchObject({ code: UsersErrorCode.UserNotFound });
    await expect(
      purchases.create({
        kind: 'topup',
        userId: u.id,
        provider: 'crypto_pay',
        amountMinor: 100,
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.UnsupportedCurrency });
    await expect(
      purchases.create({ kind: 'topup', userId: u.id, provider: 'stars', amountMinor: 100, currency: 'RUB' }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.UnsupportedCurrency });
    expect(await one('SELECT count(*)::int FROM purchases')).toBe(before);
  });

  it('takes a top-up in another currency when the balance credit is given', async () => {
    const u = await core.factory.user();
    const p = await purchases.create({
      kind: 'topup',
      userId: u.id,
      provider: 'crypto_pay',
      amountMinor: 500,
      currency: 'USD',
      creditMinor: 45_000,
    });
    await purchases.finalize(confirmation(p, 'usd-1'));
    expect(await one('SELECT balance_minor::int FROM users WHERE id = $1', [u.id])).toBe(45_000);
  });
});
