import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { CryptoPayService } from '../../src/payments/providers/crypto-pay/crypto-pay.service';
import { PaymentsErrorCode } from '../../src/payments/payments.errors';
import { startCryptoPayApp, type CryptoPayApp } from '../support/crypto-pay-app';
import type { CoreApp } from '../support/factories';

let fake: FakeCryptoPay;
let core: CoreApp;
let cryptoPay: CryptoPayService;

let app: CryptoPayApp | undefined;

beforeAll(async () => {
  app = await startCryptoPayApp();
  ({ fake, core, cryptoPay } = app);
});
afterAll(() => app?.close());
afterEach(() => fake.clearFaults());

const purchasesOf = (userId: number) =>
  core.ds.query('SELECT status, provider_invoice_id FROM purchases WHERE user_id = $1 ORDER BY created_at', [
    userId,
  ]) as Promise<{ status: string; provider_invoice_id: string | null }[]>;

describe('Crypto Pay invoices are not opened twice', () => {
  it('shows the invoice a redelivered pay update opened the first time', async () => {
    const user = await core.factory.user();
    const created = fake.callsTo('createInvoice');
    const first = await cryptoPay.checkout({
      kind: 'topup',
      userId: user.id,
      amountMinor: 30_000,
      requestKey: 'tg:501',
    });
    const again = await cryptoPay.checkout({
      kind: 'topup',
      userId: user.id,
      amountMinor: 30_000,
      requestKey: 'tg:501',
    });
    expect(again.purchase.id).toBe(first.purchase.id);
    expect(again.invoiceId).toBe(first.invoiceId);
    expect(again.invoiceUrl).toBe(first.invoiceUrl);
    expect(fake.callsTo('createInvoice') - created).toBe(1);
    expect(await purchasesOf(user.id)).toHaveLength(1);
  });

  it('opens a fresh invoice for a redelivered pay update whose first invoice could not be created', async () => {
    const user = await core.factory.user();
    fake.fail('http500', { methods: ['createInvoice'] });
    await expect(
      cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m', requestKey: 'tg:502' }),
    ).rejects.toThrow(/unavailable/);
    fake.clearFaults();
    const ref = await cryptoPay.checkout({
      kind: 'subscription',
      userId: user.id,
      planCode: '1m',
      requestKey: 'tg:502',
    });
    expect(fake.invoices.get(ref.invoiceId)?.payload).toBe(ref.purchase.id);
    expect((await purchasesOf(user.id)).map((p) => p.status)).toEqual(['failed', 'pending']);
  });

  it('shows the open invoice again when the pay button for the same plan or amount is pressed again', async () => {
    const user = await core.factory.user();
    const created = fake.callsTo('createInvoice');
    const plan = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const samePlan = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const topup = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 19_900 });
    const sameTopup = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 19_900 });
    const otherTopup = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 20_000 });
    expect(samePlan.invoiceId).toBe(plan.invoiceId);
    expect(sameTopup.invoiceId).toBe(topup.invoiceId);
    expect(new Set([plan.invoiceId, topup.invoiceId, otherTopup.invoiceId]).size).toBe(3);
    expect(fake.callsTo('createInvoice') - created).toBe(3);

    const other = await core.factory.user();
    const theirs = await cryptoPay.checkout({ kind: 'subscription', userId: other.id, planCode: '1m' });
    expect(theirs.invoiceId).not.toBe(plan.invoiceId);
  });

  it('finds the invoice by its payload instead of creating a second one when the answer to createInvoice was lost', async () => {
    const user = await core.factory.user();
    const before = fake.invoices.size;
    fake.fail('lost', { methods: ['createInvoice'], times: 1 });
    const ref = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 12_300 });
    expect(fake.invoices.size - before).toBe(1);
    expect(fake.invoices.get(ref.invoiceId)?.payload).toBe(ref.purchase.id);
    expect(await purchasesOf(user.id)).toEqual([
      { status: 'pending', provider_invoice_id: String(ref.invoiceId) },
    ]);
  });

  it('opens a new invoice once the open one was paid', async () => {
    const user = await core.factory.user();
    const first = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 11_000 });
    await core.ds.query(`UPDATE purchases SET status = 'paid', paid_at = now() WHERE id = $1`, [
      first.purchase.id,
    ]);
    const second = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 11_000 });
    expect(second.invoiceId).not.toBe(first.invoiceId);
  });
});

describe('invoice spam', () => {
  it('refuses a further invoice once a user has opened the hourly maximum of unpaid ones', async () => {
    const user = await core.factory.user();
    const created = fake.callsTo('createInvoice');
    for (let i = 1; i <= core.config.payments.pendingPerHourMax; i++)
      await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 1_000 * i });
    await expect(
      cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 99_000 }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.TooManyPending });
    expect(fake.callsTo('createInvoice') - created).toBe(core.config.payments.pendingPerHourMax);
    const again = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 1_000 });
    expect(again.purchase.userId).toBe(user.id);
    const other = await core.factory.user();
    await expect(
      cryptoPay.checkout({ kind: 'topup', userId: other.id, amountMinor: 99_000 }),
    ).resolves.toMatchObject({ purchase: { userId: other.id } });
  });
});
