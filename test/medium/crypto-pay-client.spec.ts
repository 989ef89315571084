import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CryptoPayClient,
  type CryptoPayClientOptions,
} from '../../src/payments/providers/crypto-pay/crypto-pay.client';
import {
  CryptoPayApiError,
  CryptoPayUnavailableError,
} from '../../src/payments/providers/crypto-pay/crypto-pay.errors';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';

describe('CryptoPayClient against the fake Crypto Pay', () => {
  let fake: FakeCryptoPay;
  const client = (o: Partial<CryptoPayClientOptions> = {}) =>
    new CryptoPayClient({ apiRoot: fake.apiRoot, token: fake.token, timeoutMs: 500, backoffMs: 10, ...o });
  const invoiceInput = {
    amountMinor: 19_900,
    fiat: 'RUB',
    acceptedAssets: ['USDT', 'TON', 'BTC'],
    payload: '6f1c1b1e-0000-4000-8000-000000000001',
    description: '1 month of VPN',
    expiresInS: 3600,
  };

  beforeAll(async () => {
    fake = await new FakeCryptoPay().start();
  });
  afterAll(() => fake.stop());
  afterEach(() => fake.clearFaults());

  it('creates a fiat invoice with the amount as a decimal string and our purchase id as payload', async () => {
    const inv = await client().createInvoice(invoiceInput);
    expect(inv).toMatchObject({
      currency_type: 'fiat',
      fiat: 'RUB',
      amount: '199.00',
      status: 'active',
      payload: invoiceInput.payload,
      accepted_assets: ['USDT', 'TON', 'BTC'],
    });
    expect(inv.bot_invoice_url).toMatch(/^https:\/\/t\.me\//);
    expect(Date.parse(inv.expiration_date!) - Date.now()).toBeGreaterThan(3_500_000);
    expect(fake.requests.at(-1)?.params).toMatchObject({ amount: '199.00', expires_in: '3600' });
  });

  it('reads invoices by id, with an {items} result, in batches of at most 1000 ids', async () => {
    const a = await client().createInvoice(invoiceInput);
    const b = await client().createInvoice(invoiceInput);
    fake.markPaid(b.invoice_id);
    const ids = [a.invoice_id, b.invoice_id, ...Array.from({ length: 1500 }, (_, i) => 9_000_000 + i)];
    const before = fake.callsTo('getInvoices');
    const found = await client().getInvoices(ids);
    expect(fake.callsTo('getInvoices') - before).toBe(2);
    expect(fake.requests.at(-2)?.params.invoice_ids.split(',')).toHaveLength(1000);
    expect(found.map((i) => [i.invoice_id, i.status])).toEqual([
      [a.invoice_id, 'active'],
      [b.invoice_id, 'paid'],
    ]);
  });

  it('deletes an invoice and reports the API error for an unknown one with its code and name', async () => {
    const inv = await client().createInvoice(invoiceInput);
    expect(await client().deleteInvoice(inv.invoice_id)).toBe(true);
    const err = await client()
      .deleteInvoice(inv.invoice_id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoPayApiError);
    expect(err).toMatchObject({ apiCode: 400, apiName: 'INVOICE_NOT_FOUND' });
  });

  it('sends the token header: a wrong token is an API error, not a retry', async () => {
    const before = fake.callsTo('getMe');
    const err = await client({ token: '1:wrong' })
      .getMe()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ apiName: 'UNAUTHORIZED' });
    expect(fake.callsTo('getMe') - before).toBe(1);
    expect(await client().getMe()).toMatchObject({ name: 'fake-app' });
  });

  it('retries a 5xx and a malformed answer, then succeeds', async () => {
    fake.fail('http500', { methods: ['getMe'], times: 1 });
    fake.fail('malformed', { methods: ['getMe'], times: 1 });
    const before = fake.callsTo('getMe');
    expect(await client().getMe()).toMatchObject({ app_id: 1 });
    expect(fake.callsTo('getMe') - before).toBe(3);
  });

  it('gives up on a hanging server after each attempt’s deadline with an unavailable error', async () => {
    fake.fail('hang');
    const started = performance.now();
    const err = await client({ timeoutMs: 200, retries: 1 })
      .getMe()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoPayUnavailableError);
    expect((err as Error).message).toMatch(/no answer within 200 ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('stops at the caller’s deadline without retrying', async () => {
    fake.fail('hang');
    const before = fake.callsTo('getMe');
    const err = await client({ timeoutMs: 5_000 })
      .getMe({ signal: AbortSignal.timeout(150) })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CryptoPayUnavailableError);
    expect(fake.callsTo('getMe') - before).toBe(1);
  });

  it('reports a dropped connection as unavailable', async () => {
    fake.fail('drop');
    await expect(client({ retries: 0 }).getMe()).rejects.toBeInstanceOf(CryptoPayUnavailableError);
  });

  it('opens the circuit after repeated failures and stops calling until it half-opens', async () => {
    const c = client({ retries: 0, breakerThreshold: 2, halfOpenAfterMs: 300 });
    fake.fail('http500');
    await expect(c.getMe()).rejects.toBeInstanceOf(CryptoPayUnavailableError);
    await expect(c.getMe()).rejects.toBeInstanceOf(CryptoPayUnavailableError);
    const before = fake.callsTo('getMe');
    await expect(c.getMe()).rejects.toThrow(/circuit open/);
    expect(fake.callsTo('getMe')).toBe(before);
    fake.clearFaults();
    await new Promise((r) => setTimeout(r, 350));
    expect(await c.getMe()).toMatchObject({ app_id: 1 });
  });

  it('accepts GET with query parameters too, like the published client libraries send', async () => {
    const res = await fetch(`${fake.apiRoot}/getInvoices?invoice_ids=1,2&count=10`, {
      headers: { 'Crypto-Pay-API-Token': fake.token },
    });
    expect(await res.json()).toEqual({ ok: true, result: { items: [] } });
  });
});
