import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentsModule } from '../../src/payments/payments.module';
import { PurchasesService } from '../../src/payments/purchases.service';
import { startCoreApp, type CoreApp } from '../support/factories';

let core: CoreApp;
let purchases: PurchasesService;
let event = 0;

beforeAll(async () => {
  core = await startCoreApp({
    imports: [PaymentsModule],
    env: { REFERRAL_PERCENT: '10', REFERRAL_REWARD_MODE: 'all' },
  });
  purchases = core.get(PurchasesService);
});
afterAll(async () => {
  await core?.close();
});

async function topup(userId: number, amountMinor: number): Promise<string> {
  const p = await purchases.create({
    kind: 'topup',
    userId,
    provider: 'crypto_pay',
    amountMinor,
    currency: 'RUB',
  });
  await purchases.finalize({
    purchaseId: p.id,
    provider: 'crypto_pay',
    providerEventId: `debt-${++event}`,
    amountMinor,
    currency: 'RUB',
  });
  return p.id;
}
const balanceOf = async (id: number) =>
  Number((await core.ds.query('SELECT balance_minor FROM users WHERE id = $1', [id]))[0].balance_minor);
const owedBy = async (id: number) =>
  Number(
    (
      await core.ds.query(
        'SELECT COALESCE(sum(owed_minor), 0) AS n FROM referral_rewards WHERE referrer_id = $1',
        [id],
      )
    )[0].n,
  );

describe('referral clawback after the reward was spent', () => {
  it('keeps what a refund could not take back as a debt, repaid from the referrer’s next rewards', async () => {
    const referrer = await core.factory.user();
    const referee = await core.factory.user({ referrerId: referrer.id });
    const refunded = await topup(referee.id, 10_000);
    expect(await balanceOf(referrer.id)).toBe(1_000);
    // The referrer spends the reward (with money of their own) down to zero.
    await topup(referrer.id, 18_900);
    await purchases.payFromBalance({ userId: referrer.id, planCode: '1m' });
    expect(await balanceOf(referrer.id)).toBe(0);

    const refund = await purchases.refund({ purchaseId: refunded });
    expect(refund.referralClawedBack).toBe(0);
    expect(await owedBy(referrer.id)).toBe(1_000);

    await topup(referee.id, 5_000);
    expect(await balanceOf(referrer.id)).toBe(0);
    expect(await owedBy(referrer.id)).toBe(500);

    await topup(referee.id, 20_000);
    expect(await balanceOf(referrer.id)).toBe(1_500);
    expect(await owedBy(referrer.id)).toBe(0);
    // What the referrer got into the balance in all equals the rewards of the purchases not refunded.
    const credited = await core.ds.query(
      `SELECT COALESCE(sum(delta_minor), 0)::int AS n FROM balance_ledger
       WHERE user_id = $1 AND (reason = 'referral_reward' OR reference LIKE 'referral:%')`,
      [referrer.id],
    );
    expect(credited[0].n).toBe(500 + 2_000);
  });
});
