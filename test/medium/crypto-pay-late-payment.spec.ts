import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { serialise } from '../../src/demo/fake-crypto-pay-webhooks';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { JOB_NAMES } from '../../src/jobs/job-schedules';
import { CryptoPayWatcherJob } from '../../src/payments/providers/crypto-pay/crypto-pay-watcher.job';
import { CryptoPayWebhookService } from '../../src/payments/providers/crypto-pay/crypto-pay-webhook.service';
import { CryptoPayService } from '../../src/payments/providers/crypto-pay/crypto-pay.service';
import { signCryptoPayBody } from '../../src/payments/providers/crypto-pay/crypto-pay-signature';
import type { CryptoPayInvoice } from '../../src/payments/providers/crypto-pay/crypto-pay.types';
import { startCryptoPayApp, type CryptoPayApp } from '../support/crypto-pay-app';
import type { CoreApp } from '../support/factories';

let fake: FakeCryptoPay;
let core: CoreApp;
let cryptoPay: CryptoPayService;
let runner: JobRunnerService;
let updateId = 70_000;

let app: CryptoPayApp | undefined;

beforeAll(async () => {
  app = await startCryptoPayApp();
  ({ fake, core, cryptoPay, runner } = app);
});
afterAll(() => app?.close());

const watch = () => runner.runNow(CryptoPayWatcherJob.jobName);
const expire = () => runner.runNow(JOB_NAMES.purchaseExpiry);
const one = async <T>(sql: string, params: unknown[]): Promise<T> =>
  ((await core.ds.query(sql, params)) as T[])[0];
const statusOf = async (id: string) =>
  (await one<{ status: string }>('SELECT status FROM purchases WHERE id = $1', [id])).status;
const balanceOf = async (userId: number) =>
  Number((await one<{ b: string }>('SELECT balance_minor AS b FROM users WHERE id = $1', [userId])).b);
const ledgerOf = (userId: number) =>
  core.ds.query(
    'SELECT delta_minor::int AS delta, reason, reference FROM balance_ledger WHERE user_id = $1',
    [userId],
  ) as Promise<{ delta: number; reason: string; reference: string }[]>;
const noticesOf = (userId: number) =>
  core.ds.query('SELECT kind FROM notifications WHERE user_id = $1 ORDER BY id', [userId]) as Promise<
    { kind: string }[]
  >;
const grantsOf = async (userId: number) =>
  Number(
    (
      await one<{ n: string }>(
        `SELECT count(*) AS n FROM subscription_grants g JOIN subscriptions s ON s.id = g.subscription_id
         WHERE s.user_id = $1`,
        [userId],
      )
    ).n,
  );
/** The purchase's deadline passes (the invoice, made to expire first, is already paid). */
const overdue = (purchaseId: string) =>
  core.ds.query(`UPDATE purchases SET expires_at = now() - interval '1 minute' WHERE id = $1`, [purchaseId]);

function webhookFor(invoice: CryptoPayInvoice) {
  const raw = serialise(
    {
      update_id: updateId++,
      update_type: 'invoice_paid',
      request_date: new Date().toISOString(),
      payload: invoice,
    },
    {},
  );
  return { rawBody: Buffer.from(raw), body: JSON.parse(raw), signature: signCryptoPayBody(fake.token, raw) };
}

describe('Crypto Pay payments around the purchase deadline', () => {
  it('credits a paid invoice whose webhook was lost and whose watcher was down until after the purchase expired, once', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    fake.markPaid(ref.invoiceId);
    await overdue(ref.purchase.id);
    expect(await expire()).toBe('ok');
    expect(await statusOf(ref.purchase.id)).toBe('pending');

    expect(await watch()).toBe('ok');
    expect(await expire()).toBe('ok');
    expect(await watch()).toBe('ok');
    expect(await statusOf(ref.purchase.id)).toBe('paid');
    expect(await grantsOf(user.id)).toBe(1);
    expect(await noticesOf(user.id)).toEqual([{ kind: 'payment_received' }]);
  });

  it('expires an overdue Crypto Pay purchase only once Crypto Pay says its invoice was not paid', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 5_000 });
    await overdue(ref.purchase.id);
    await expire();
    await watch();
    expect(await statusOf(ref.purchase.id)).toBe('pending');
    fake.markExpired(ref.invoiceId);
    await watch();
    expect(await statusOf(ref.purchase.id)).toBe('expired');
    expect(await balanceOf(user.id)).toBe(0);
  });

  it('credits a Crypto Pay payment that arrives after its purchase expired, once, to the balance', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    // Expired by time alone, without asking Crypto Pay (Crypto Pay was not configured then, or an older version).
    await core.ds.query(
      `UPDATE purchases SET status = 'expired', failure_reason = 'not paid in time' WHERE id = $1`,
      [ref.purchase.id],
    );
    const invoice = fake.markPaid(ref.invoiceId);
    const webhooks = core.get(CryptoPayWebhookService);
    const delivery = webhookFor(invoice);
    const outcomes = await Promise.all([webhooks.receive(delivery), watch(), webhooks.receive(delivery)]);
    expect(outcomes).toContain('credited_to_balance');
    await webhooks.receive(webhookFor(invoice));
    await watch();

    expect(await statusOf(ref.purchase.id)).toBe('paid');
    expect(await balanceOf(user.id)).toBe(ref.purchase.amountMinor);
    expect(await ledgerOf(user.id)).toEqual([
      { delta: ref.purchase.amountMinor, reason: 'topup', reference: ref.purchase.id },
    ]);
    expect(await noticesOf(user.id)).toEqual([{ kind: 'topup_received' }]);
    expect(await grantsOf(user.id)).toBe(0);
  });

  it('credits a payment the watcher finds for a purchase expired without asking Crypto Pay', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 8_000 });
    await core.ds.query(
      `UPDATE purchases SET status = 'expired', failure_reason = 'not paid in time' WHERE id = $1`,
      [ref.purchase.id],
    );
    fake.markPaid(ref.invoiceId);
    await watch();
    await watch();
    expect(await statusOf(ref.purchase.id)).toBe('paid');
    expect(await balanceOf(user.id)).toBe(8_000);
    expect(await ledgerOf(user.id)).toHaveLength(1);
  });
});
