import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentsErrorCode } from '../../src/payments/payments.errors';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PurchasesService } from '../../src/payments/purchases.service';
import { startCoreApp, type CoreApp } from '../support/factories';

const DAY_MS = 86_400_000;
let core: CoreApp;
let purchases: PurchasesService;

beforeAll(async () => {
  core = await startCoreApp({ imports: [PaymentsModule], env: { REFERRAL_PERCENT: '10' } });
  purchases = core.get(PurchasesService);
});
afterAll(async () => {
  await core?.close();
});

async function paidStars(userId: number, planCode: string, eventId: string) {
  const p = await purchases.create({
    kind: 'subscription',
    userId,
    provider: 'stars',
    planCode,
    currency: 'XTR',
  });
  return purchases.finalize({
    purchaseId: p.id,
    provider: 'stars',
    providerEventId: eventId,
    providerChargeId: eventId,
    amountMinor: p.amountMinor,
    currency: 'XTR',
  });
}

const opsOf = (userId: number) =>
  core.ds.query<{ kind: string; state: string }[]>(
    'SELECT kind, state FROM vpn_operations WHERE user_id = $1 ORDER BY id',
    [userId],
  );

describe('refunds', () => {
  it('takes back the days a refunded purchase granted and keeps the rest', async () => {
    const u = await core.factory.user();
    const first = await paidStars(u.id, '1m', 'c1');
    const second = await paidStars(u.id, '3m', 'c2');
    const before = second.subscription!.expiresAt.getTime();
    const r = await purchases.refund({ purchaseId: second.purchase.id, reason: 'user asked' });
    expect(r.outcome).toBe('refunded');
    expect(r.purchase.status).toBe('refunded');
    expect(r.subscription!.status).toBe('active');
    expect(r.subscription!.expiresAt.getTime()).toBe(before - 90 * DAY_MS);
    expect(r.subscription!.expiresAt.getTime()).toBe(first.subscription!.expiresAt.getTime());
    const [g] = await core.ds.query('SELECT revoked_at FROM subscription_grants WHERE purchase_id = $1', [
      second.purchase.id,
    ]);
    expect(g.revoked_at).toBeInstanceOf(Date);
    expect(
      await core.ds.query(`SELECT kind FROM notifications WHERE dedupe_key = $1`, [
        `refund:${second.purchase.id}`,
      ]),
    ).toEqual([{ kind: 'refund_processed' }]);
  });

  it('ends access and queues the revoke when the refund leaves no time', async () => {
    const u = await core.factory.user();
    const bought = await paidStars(u.id, '1m', 'c3');
    const r = await purchases.refund({ purchaseId: bought.purchase.id });
    expect(r.subscription).toMatchObject({ status: 'expired' });
    expect(await opsOf(u.id)).toEqual([
      { kind: 'provision', state: 'superseded' },
      { kind: 'revoke', state: 'pending' },
    ]);
  });

  it('returns a balance payment to the balance, once, however often it is asked', async () => {
    const u = await core.factory.user({ balanceMinor: 20_000 });
    const bought = await purchases.payFromBalance({ userId: u.id, planCode: '1m' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => purchases.refund({ purchaseId: bought.purchase.id })),
    );
    expect(results.filter((r) => r.outcome === 'refunded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already_refunded')).toHaveLength(4);
    const [{ balance_minor }] = await core.ds.query('SELECT balance_minor FROM users WHERE id = $1', [u.id]);
    expect(Number(balance_minor)).toBe(20_000);
  });

  it('reverses a top-up and claws back the referral reward', async () => {
    const referrer = await core.factory.user();
    const u = await core.factory.user({ referrerId: referrer.id });
    const p = await purchases.create({
      kind: 'topup',
      userId: u.id,
      provider: 'crypto_pay',
      amountMinor: 10_000,
      currency: 'RUB',
    });
    await purchases.finalize({
      purchaseId: p.id,
      provider: 'crypto_pay',
      providerEventId: 'tp',
      amountMinor: 10_000,
      currency: 'RUB',
    });
    const r = await purchases.refund({ purchaseId: p.id });
    expect(r).toMatchObject({ outcome: 'refunded', balanceAfter: 0, referralClawedBack: 1_000 });
    const balances = await core.ds.query(
      'SELECT id, balance_minor FROM users WHERE id = ANY($1) ORDER BY id',
      [[referrer.id, u.id]],
    );
    expect(balances.map((b: { balance_minor: string }) => Number(b.balance_minor))).toEqual([0, 0]);
  });

  it('refuses to refund a top-up that was spent, and changes nothing', async () => {
    const u = await core.factory.user();
    const p = await purchases.create({
      kind: 'topup',
      userId: u.id,
      provider: 'crypto_pay',
      amountMinor: 20_000,
      currency: 'RUB',
    });
    await purchases.finalize({
      purchaseId: p.id,
      provider: 'crypto_pay',
      providerEventId: 'sp',
      amountMinor: 20_000,
      currency: 'RUB',
    });
    await purchases.payFromBalance({ userId: u.id, planCode: '1m' });
    await expect(purchases.refund({ purchaseId: p.id })).rejects.toMatchObject({
      code: PaymentsErrorCode.RefundExceedsBalance,
    });
    expect((await purchases.get(p.id)).status).toBe('paid');
    const [{ n }] = await core.ds.query(
      `SELECT count(*)::int AS n FROM balance_ledger WHERE reason = 'refund' AND reference = $1`,
      [p.id],
    );
    expect(n).toBe(0);
  });

  it('refuses to refund a purchase that was never paid', async () => {
    const pending = await core.factory.purchase();
    await expect(purchases.refund({ purchaseId: pending.id })).rejects.toMatchObject({
      code: PaymentsErrorCode.NotRefundable,
    });
  });
});
