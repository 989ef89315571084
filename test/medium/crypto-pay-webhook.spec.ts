import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service';
import { CryptoPayModule } from '../../src/payments/providers/crypto-pay/crypto-pay.module';
import { CryptoPayService } from '../../src/payments/providers/crypto-pay/crypto-pay.service';
import { signCryptoPayBody } from '../../src/payments/providers/crypto-pay/crypto-pay-signature';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { CapturedLogger } from '../support/captured-logger';
import { createFactory, type Factory } from '../support/factories';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { createTestApp } from '../support/test-app';

interface WebhookApp {
  app: INestApplication;
  url: string;
  ds: DataSource;
  factory: Factory;
  db: TestDatabase;
}

/** The app with the HTTP setup of main.ts (raw bodies kept, 1 MB JSON limit), listening on 127.0.0.1. */
async function startWebhookApp(env: Record<string, string>): Promise<WebhookApp> {
  const db = await createTestDatabase();
  const { app } = await createTestApp({ databaseUrl: db.url, env, imports: [CryptoPayModule], logger: logs });
  await app.listen(0, '127.0.0.1');
  const ds = app.get(DbService).dataSource;
  return {
    app,
    url: `${await app.getUrl()}/payments/crypto-pay/webhook`,
    ds,
    factory: createFactory(ds),
    db,
  };
}

const logs = new CapturedLogger();

const WEBHOOK_MAX_AGE_S = 600;
let fake: FakeCryptoPay;
let h: WebhookApp;

beforeAll(async () => {
  fake = await new FakeCryptoPay().start();
  h = await startWebhookApp({
    CRYPTO_PAY_TOKEN: fake.token,
    CRYPTO_PAY_API_ROOT: fake.apiRoot,
    CRYPTO_PAY_WEBHOOK_MAX_AGE_S: String(WEBHOOK_MAX_AGE_S),
  });
});
afterAll(async () => {
  await h?.app.close();
  await h?.db.drop();
  await fake?.stop();
});

const statusOf = async (id: string) =>
  ((await h.ds.query('SELECT status FROM purchases WHERE id = $1', [id])) as { status: string }[])[0].status;
const balanceOf = async (userId: number) =>
  Number((await h.ds.query('SELECT balance_minor FROM users WHERE id = $1', [userId]))[0].balance_minor);
const count = async (sql: string, params: unknown[]) => Number((await h.ds.query(sql, params))[0].n);
const eventsOf = (purchaseId: string) =>
  count(`SELECT count(*) AS n FROM processed_provider_events WHERE purchase_id = $1`, [purchaseId]);

/** A paid top-up invoice whose webhook has not been delivered yet. */
async function paidTopup(amountMinor = 15_000) {
  const user = await h.factory.user();
  const ref = await h.app.get(CryptoPayService).checkout({ kind: 'topup', userId: user.id, amountMinor });
  fake.markPaid(ref.invoiceId);
  return { user, ref };
}

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(h.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(5_000),
  });

describe('POST /payments/crypto-pay/webhook', () => {
  it('credits a paid top-up from a signed webhook and answers 200', async () => {
    const { user, ref } = await paidTopup();
    const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId);
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toEqual({ ok: true, outcome: 'credited' });
    expect(await statusOf(ref.purchase.id)).toBe('paid');
    expect(await balanceOf(user.id)).toBe(15_000);
  });

  it('grants access for a subscription paid through a webhook', async () => {
    const user = await h.factory.user();
    const ref = await h.app
      .get(CryptoPayService)
      .checkout({ kind: 'subscription', userId: user.id, planCode: '3m' });
    fake.markPaid(ref.invoiceId);
    const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId);
    expect(delivery.status).toBe(200);
    const sub = (
      await h.ds.query('SELECT status, expires_at FROM subscriptions WHERE user_id = $1', [user.id])
    )[0];
    expect(sub.status).toBe('active');
    expect(new Date(sub.expires_at).getTime() - Date.now()).toBeGreaterThan(89 * 86_400_000);
  });

  it.each(['wrong', 'garbage', 'missing'] as const)(
    'refuses a %s signature with 401 and changes nothing',
    async (signature) => {
      const { user, ref } = await paidTopup();
      const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId, { signature });
      expect(delivery.status).toBe(401);
      expect(await statusOf(ref.purchase.id)).toBe('pending');
      expect(await balanceOf(user.id)).toBe(0);
      expect(await eventsOf(ref.purchase.id)).toBe(0);
    },
  );

  it('credits once when the same update is delivered again and again', async () => {
    const { user, ref } = await paidTopup(12_345);
    const deliveries = await fake.deliverWebhook(h.url, ref.invoiceId, { times: 4 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    expect(deliveries.slice(1).map((d) => JSON.parse(d.body).outcome)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(await balanceOf(user.id)).toBe(12_345);
    expect(
      await count('SELECT count(*) AS n FROM balance_ledger WHERE reference = $1', [ref.purchase.id]),
    ).toBe(1);
  });

  it('credits once when two different updates report the same payment', async () => {
    const { user, ref } = await paidTopup(5_000);
    await fake.deliverWebhook(h.url, ref.invoiceId);
    const [second] = await fake.deliverWebhook(h.url, ref.invoiceId);
    expect(JSON.parse(second.body).outcome).toBe('already_credited');
    expect(await balanceOf(user.id)).toBe(5_000);
  });

  it('verifies a body with escaped slashes over the raw bytes', async () => {
    const { user, ref } = await paidTopup();
    const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId, { escapeSlashes: true });
    expect(delivery.sentBody).toContain('https:\\/\\/t.me');
    expect(delivery.status).toBe(200);
    expect(await balanceOf(user.id)).toBe(15_000);
  });

  it('verifies a body with non-ASCII escaped as \\uXXXX', async () => {
    const { user, ref } = await paidTopup();
    fake.invoices.get(ref.invoiceId)!.description = 'Пополнение баланса';
    const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId, { escapeNonAscii: true });
    expect(delivery.sentBody).toContain('\\u041f');
    expect(delivery.status).toBe(200);
    expect(await balanceOf(user.id)).toBe(15_000);
  });

  it('answers 400 to malformed JSON and changes nothing', async () => {
    const { user, ref } = await paidTopup();
    const body = '{"update_id": 1, "payload": {';
    const res = await post(body, { 'crypto-pay-api-signature': signCryptoPayBody(fake.token, body) });
    expect(res.status).toBe(400);
    expect(await statusOf(ref.purchase.id)).toBe('pending');
    expect(await balanceOf(user.id)).toBe(0);
  });

  it('answers 400 to a signed body that is not an update', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const res = await post(body, { 'crypto-pay-api-signature': signCryptoPayBody(fake.token, body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'CRYPTO_PAY_WEBHOOK_MALFORMED' });
  });

  it('answers 413 to a body over the 1 MB JSON limit', async () => {
    const body = JSON.stringify({ update_id: 1, padding: 'x'.repeat(1_100_000) });
    const res = await post(body, { 'crypto-pay-api-signature': signCryptoPayBody(fake.token, body) });
    expect(res.status).toBe(413);
  });

  it('refuses an update older than CRYPTO_PAY_WEBHOOK_MAX_AGE_S with 401', async () => {
    const { user, ref } = await paidTopup();
    const requestDate = new Date(Date.now() - (WEBHOOK_MAX_AGE_S + 60) * 1000).toISOString();
    const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId, { requestDate });
    expect(delivery.status).toBe(401);
    expect(await balanceOf(user.id)).toBe(0);
  });

  it('acknowledges an update for an unknown purchase without crediting anyone', async () => {
    const { ref } = await paidTopup();
    fake.invoices.get(ref.invoiceId)!.payload = '00000000-0000-4000-8000-000000000000';
    const [delivery] = await fake.deliverWebhook(h.url, ref.invoiceId);
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body).outcome).toBe('refused');
    expect(await statusOf(ref.purchase.id)).toBe('pending');
    expect(
      logs.matching(new RegExp(`paid invoice ${ref.invoiceId} NOT credited.*PURCHASE_NOT_FOUND`)),
    ).toHaveLength(1);
  });
});

describe('POST /payments/crypto-pay/webhook without CRYPTO_PAY_TOKEN', () => {
  it('answers 503 with a clear body', async () => {
    const off = await startWebhookApp({});
    try {
      const body = JSON.stringify({ update_id: 1 });
      const res = await fetch(off.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'crypto-pay-api-signature': signCryptoPayBody('1:x', body),
        },
        body,
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'CRYPTO_PAY_DISABLED', message: /CRYPTO_PAY_TOKEN/ });
    } finally {
      await off.app.close();
      await off.db.drop();
    }
  });
});
