import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PoolMonitor } from '../../src/database/pool-monitor';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { CryptoPayWatcherJob } from '../../src/payments/providers/crypto-pay/crypto-pay-watcher.job';
import { CryptoPayWebhookService } from '../../src/payments/providers/crypto-pay/crypto-pay-webhook.service';
import { CryptoPayUnavailableError } from '../../src/payments/providers/crypto-pay/crypto-pay.errors';
import { CryptoPayService } from '../../src/payments/providers/crypto-pay/crypto-pay.service';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { serialise } from '../../src/demo/fake-crypto-pay-webhooks';
import { signCryptoPayBody } from '../../src/payments/providers/crypto-pay/crypto-pay-signature';
import { startCryptoPayApp, type CryptoPayApp } from '../support/crypto-pay-app';
import type { CoreApp } from '../support/factories';

const DAY_MS = 86_400_000;
let fake: FakeCryptoPay;
let core: CoreApp;
let cryptoPay: CryptoPayService;
let runner: JobRunnerService;

let app: CryptoPayApp | undefined;

beforeAll(async () => {
  app = await startCryptoPayApp();
  ({ fake, core, cryptoPay, runner } = app);
});
afterAll(() => app?.close());
afterEach(() => fake.clearFaults());

const watch = () => runner.runNow(CryptoPayWatcherJob.jobName);
const statusOf = async (id: string) =>
  ((await core.ds.query('SELECT status FROM purchases WHERE id = $1', [id])) as { status: string }[])[0]
    .status;
const balanceOf = async (userId: number) =>
  Number((await core.ds.query('SELECT balance_minor FROM users WHERE id = $1', [userId]))[0].balance_minor);
const ledgerRows = async (purchaseId: string) =>
  Number(
    (await core.ds.query('SELECT count(*) AS n FROM balance_ledger WHERE reference = $1', [purchaseId]))[0].n,
  );
const subscriptionOf = async (userId: number) =>
  (
    (await core.ds.query('SELECT status, expires_at FROM subscriptions WHERE user_id = $1', [userId])) as {
      status: string;
      expires_at: Date;
    }[]
  )[0];

/** Waits until Crypto Pay's circuit half-opens (CRYPTO_PAY_WATCH_INTERVAL_MS) after a fault. */
const waitForBreaker = () => new Promise((r) => setTimeout(r, 1_100));

describe('Crypto Pay checkout', () => {
  it('creates a pending purchase with its invoice id, URL, and an invoice that expires before the purchase', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const row = (await core.ds.query('SELECT * FROM purchases WHERE id = $1', [ref.purchase.id]))[0];
    expect(row).toMatchObject({
      status: 'pending',
      provider: 'crypto_pay',
      provider_invoice_id: String(ref.invoiceId),
      invoice_url: ref.invoiceUrl,
      currency: 'RUB',
    });
    const invoice = fake.invoices.get(ref.invoiceId)!;
    expect(invoice).toMatchObject({
      amount: '199.00',
      fiat: 'RUB',
      payload: ref.purchase.id,
      currency_type: 'fiat',
    });
    expect(invoice.accepted_assets).toEqual(['USDT', 'TON', 'BTC']);
    expect(ref.expiresAt.getTime()).toBeLessThan(new Date(row.expires_at).getTime());
  });

  it('marks the purchase failed and reports Crypto Pay unavailable when the invoice cannot be created', async () => {
    const user = await core.factory.user();
    fake.fail('http500', { methods: ['createInvoice'] });
    const err = await cryptoPay
      .checkout({ kind: 'topup', userId: user.id, amountMinor: 50_000 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CryptoPayUnavailableError);
    const rows = await core.ds.query('SELECT status FROM purchases WHERE user_id = $1', [user.id]);
    expect(rows).toEqual([{ status: 'failed' }]);
    await waitForBreaker();
  });

  it('deletes the new invoice when the purchase can no longer take it', async () => {
    const user = await core.factory.user();
    const purchase = await core.factory.purchase({ userId: user.id, kind: 'topup', amountMinor: 10_000 });
    const snapshot = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 10_000 });
    await core.ds.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [purchase.id]);
    const before = fake.invoices.size;
    const stale = { ...snapshot.purchase, id: purchase.id, providerInvoiceId: null, invoiceUrl: null };
    await expect(cryptoPay.createInvoiceForPurchase(stale)).rejects.toThrow(/no longer pending/);
    expect(fake.invoices.size).toBe(before);
    expect(fake.callsTo('deleteInvoice')).toBeGreaterThan(0);
  });
});

describe('Crypto Pay watcher', () => {
  it('credits a top-up whose webhook never arrives', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 25_000 });
    expect(await watch()).toBe('ok');
    expect(await statusOf(ref.purchase.id)).toBe('pending');
    fake.markPaid(ref.invoiceId);
    expect(await watch()).toBe('ok');
    expect(await statusOf(ref.purchase.id)).toBe('paid');
    expect(await balanceOf(user.id)).toBe(25_000);
    const events = await core.ds.query(
      `SELECT event_id FROM processed_provider_events WHERE provider = 'crypto_pay' AND purchase_id = $1`,
      [ref.purchase.id],
    );
    expect(events).toEqual([{ event_id: `invoice:${ref.invoiceId}` }]);
    expect(await watch()).toBe('ok');
    expect(await ledgerRows(ref.purchase.id)).toBe(1);
  });

  it('grants access for a subscription bought through Crypto Pay, and renews it on the next purchase', async () => {
    const user = await core.factory.user();
    const first = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    fake.markPaid(first.invoiceId);
    await watch();
    const granted = await subscriptionOf(user.id);
    expect(granted.status).toBe('active');
    expect(granted.expires_at.getTime() - Date.now()).toBeGreaterThan(29 * DAY_MS);

    const second = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    fake.markPaid(second.invoiceId);
    await watch();
    const renewed = await subscriptionOf(user.id);
    expect(renewed.expires_at.getTime() - granted.expires_at.getTime()).toBeGreaterThan(29 * DAY_MS);
  });

  it('expires the purchase of an expired invoice and grants no access', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    fake.markExpired(ref.invoiceId);
    await watch();
    expect(await statusOf(ref.purchase.id)).toBe('expired');
    expect(await subscriptionOf(user.id)).toBeUndefined();
  });

  it('credits once when the webhook and the watcher race', async () => {
    const webhooks = core.get(CryptoPayWebhookService);
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => core.factory.user()));
    const refs = await Promise.all(
      users.map((u) => cryptoPay.checkout({ kind: 'topup', userId: u.id, amountMinor: 10_000 })),
    );
    const deliveries = refs.map((ref, i) => {
      const update = {
        update_id: 90_000 + i,
        update_type: 'invoice_paid',
        request_date: new Date().toISOString(),
        payload: fake.markPaid(ref.invoiceId),
      };
      const raw = serialise(update, {});
      return {
        rawBody: Buffer.from(raw),
        body: JSON.parse(raw),
        signature: signCryptoPayBody(fake.token, raw),
      };
    });
    await Promise.all([watch(), ...deliveries.map((d) => webhooks.receive(d)), watch()]);
    for (const [i, ref] of refs.entries()) {
      expect(await statusOf(ref.purchase.id)).toBe('paid');
      expect(await ledgerRows(ref.purchase.id)).toBe(1);
      expect(await balanceOf(users[i].id)).toBe(10_000);
    }
  });

  it('fails its iteration while Crypto Pay answers 5xx, stops calling once the circuit opens, and credits after recovery', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 7_000 });
    fake.markPaid(ref.invoiceId);
    fake.fail('http500', { methods: ['getInvoices'] });
    for (let i = 0; i < 5; i++) expect(await watch()).toBe('failed');
    const status = runner.status().find((s) => s.name === CryptoPayWatcherJob.jobName)!;
    expect(status.lastError).toMatch(/Crypto Pay getInvoices unavailable/);
    const calls = fake.callsTo('getInvoices');
    expect(await watch()).toBe('failed');
    expect(fake.callsTo('getInvoices')).toBe(calls);
    expect(runner.status().find((s) => s.name === CryptoPayWatcherJob.jobName)!.lastError).toMatch(
      /circuit open/,
    );
    expect(await statusOf(ref.purchase.id)).toBe('pending');

    fake.clearFaults();
    await waitForBreaker();
    expect(await watch()).toBe('ok');
    expect(await statusOf(ref.purchase.id)).toBe('paid');
    expect(await balanceOf(user.id)).toBe(7_000);
  });

  it('holds no database connection while Crypto Pay hangs, and credits once it answers again', async () => {
    const user = await core.factory.user();
    const ref = await cryptoPay.checkout({ kind: 'topup', userId: user.id, amountMinor: 8_000 });
    fake.markPaid(ref.invoiceId);
    fake.fail('hang', { methods: ['getInvoices'] });
    const monitor = core.get(PoolMonitor);
    const iteration = watch();
    const snapshots = [];
    while (fake.hangingCount === 0) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 10 && fake.hangingCount > 0; i++) {
      snapshots.push(monitor.snapshot());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(snapshots.length).toBeGreaterThan(0);
    for (const s of snapshots) {
      expect(s.busy).toBe(0);
      expect(s.holds.filter((h) => h.caller.includes('crypto-pay-watcher'))).toEqual([]);
    }
    // Three attempts of 300 ms plus backoff outlast the iteration deadline (interval - 1 s, at least 1 s).
    expect(await iteration).toBe('timeout');
    expect(runner.status().find((s) => s.name === CryptoPayWatcherJob.jobName)!.lastError).toMatch(
      /deadline of 1000 ms exceeded/,
    );
    // Every abandoned request was aborted by the client, so the fake sees its connection close.
    for (let i = 0; i < 50 && fake.hangingCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fake.hangingCount).toBe(0);
    expect(await statusOf(ref.purchase.id)).toBe('pending');

    fake.clearFaults();
    await waitForBreaker();
    expect(await watch()).toBe('ok');
    expect(await balanceOf(user.id)).toBe(8_000);
  });
});
