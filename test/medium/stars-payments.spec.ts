import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PaymentsErrorCode } from '../../src/payments/payments.errors';
import type { Purchase } from '../../src/payments/purchase';
import { StarsModule } from '../../src/payments/providers/stars/stars.module';
import { StarsService } from '../../src/payments/providers/stars/stars.service';
import { StarsErrorCode } from '../../src/payments/providers/stars/stars.errors';
import { startCoreApp, type CoreApp } from '../support/factories';
import { FakeTelegram } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';

const DAY_MS = 86_400_000;
const BOT_TOKEN = testEnv().BOT_TOKEN!;
let telegram: FakeTelegram;
let core: CoreApp;
let stars: StarsService;

beforeAll(async () => {
  telegram = await new FakeTelegram({ token: BOT_TOKEN }).start();
  core = await startCoreApp({ imports: [StarsModule], env: { TELEGRAM_API_ROOT: telegram.apiRoot } });
  stars = core.get(StarsService);
});
afterAll(async () => {
  await core?.close();
  await telegram?.stop();
});
afterEach(() => telegram.clearFaults());

const chargeId = () => `stxr_${randomBytes(8).toString('hex')}`;
const statusOf = async (id: string) =>
  ((await core.ds.query('SELECT status FROM purchases WHERE id = $1', [id])) as { status: string }[])[0]
    .status;
const balanceOf = async (userId: number) =>
  Number((await core.ds.query('SELECT balance_minor FROM users WHERE id = $1', [userId]))[0].balance_minor);
const subscriptionOf = async (userId: number) =>
  (
    (await core.ds.query('SELECT status, expires_at FROM subscriptions WHERE user_id = $1', [userId])) as {
      status: string;
      expires_at: Date;
    }[]
  )[0];
const preCheckout = (p: Purchase, over: { userId?: number; total?: number; currency?: string } = {}) =>
  stars.answerPreCheckout({
    from: { id: over.userId ?? p.userId },
    currency: over.currency ?? 'XTR',
    total_amount: over.total ?? p.amountMinor,
    invoice_payload: p.id,
  });
const pay = (p: Purchase, charge = chargeId(), total = p.amountMinor) =>
  stars.onSuccessfulPayment({
    from: { id: p.userId },
    successful_payment: {
      currency: 'XTR',
      total_amount: total,
      invoice_payload: p.id,
      telegram_payment_charge_id: charge,
    },
  });
const refundsSent = (charge: string) =>
  telegram.sent.filter(
    (c) => c.method === 'refundStarPayment' && c.params.telegram_payment_charge_id === charge,
  );

describe('Stars invoice', () => {
  it('is an XTR invoice with an empty provider token, one price in Stars and the purchase id as payload', async () => {
    const user = await core.factory.user();
    const { purchase, invoice } = await stars.checkout({
      kind: 'subscription',
      userId: user.id,
      planCode: '1m',
    });
    expect(purchase).toMatchObject({
      provider: 'stars',
      currency: 'XTR',
      amountMinor: 150,
      status: 'pending',
    });
    expect(invoice).toMatchObject({
      payload: purchase.id,
      provider_token: '',
      currency: 'XTR',
      prices: [{ amount: 150 }],
    });
    expect(invoice.title.length).toBeLessThanOrEqual(32);
    expect(invoice.description.length).toBeLessThanOrEqual(255);
  });
});

describe('Stars pre-checkout', () => {
  it('approves a pending purchase of that user at its price', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '3m' });
    expect(await preCheckout(purchase)).toEqual({ ok: true, purchaseId: purchase.id });
  });

  it('refuses an expired purchase, saying it expired', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    await core.ds.query(`UPDATE purchases SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      purchase.id,
    ]);
    expect(await preCheckout(purchase)).toMatchObject({
      ok: false,
      reason: 'expired',
      errorMessage: /expired/,
    });
    await core.ds.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [purchase.id]);
    expect(await preCheckout(purchase)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses an already paid purchase, saying it was paid', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    await pay(purchase);
    expect(await preCheckout(purchase)).toMatchObject({
      ok: false,
      reason: 'already_paid',
      errorMessage: /paid/,
    });
  });

  it('refuses another amount or currency, and a plan whose Stars price changed, as a price change', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    expect(await preCheckout(purchase, { total: 149 })).toMatchObject({ ok: false, reason: 'price_changed' });
    expect(await preCheckout(purchase, { currency: 'USD' })).toMatchObject({
      ok: false,
      reason: 'price_changed',
    });
    const old = await core.factory.purchase({
      userId: user.id,
      provider: 'stars',
      currency: 'XTR',
      amountMinor: 120,
    });
    expect(
      await stars.answerPreCheckout({
        from: { id: user.id },
        currency: 'XTR',
        total_amount: 120,
        invoice_payload: old.id,
      }),
    ).toMatchObject({ ok: false, reason: 'price_changed', errorMessage: /price has changed/ });
  });

  it('refuses an invoice of another user or an unknown payload', async () => {
    const user = await core.factory.user();
    const other = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    expect(await preCheckout(purchase, { userId: other.id })).toMatchObject({
      ok: false,
      reason: 'unknown_invoice',
    });
    expect(await preCheckout({ ...purchase, id: 'not-a-purchase' })).toMatchObject({
      reason: 'unknown_invoice',
    });
  });
});

describe('Stars successful payment', () => {
  it('grants access once even when the payment is delivered twice, at the same time', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const charge = chargeId();
    const results = await Promise.all([pay(purchase, charge), pay(purchase, charge)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_paid', 'paid']);
    expect((await pay(purchase, charge)).outcome).toBe('already_paid');
    const sub = await subscriptionOf(user.id);
    expect(sub.status).toBe('active');
    expect(sub.expires_at.getTime() - Date.now()).toBeLessThan(31 * DAY_MS);
    const rows = await core.ds.query(`SELECT provider_charge_id FROM purchases WHERE id = $1`, [purchase.id]);
    expect(rows).toEqual([{ provider_charge_id: charge }]);
    const grants = await core.ds.query(
      'SELECT count(*) AS n FROM subscription_grants WHERE purchase_id = $1',
      [purchase.id],
    );
    expect(Number(grants[0].n)).toBe(1);
  });

  it('renews an existing subscription', async () => {
    const sub = await core.factory.subscription();
    const before = sub.expiresAt.getTime();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: sub.userId, planCode: '1m' });
    await pay(purchase);
    expect((await subscriptionOf(sub.userId)).expires_at.getTime() - before).toBe(30 * DAY_MS);
  });

  it('credits a top-up to the balance', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({
      kind: 'topup',
      userId: user.id,
      stars: 100,
      creditMinor: 13_000,
    });
    expect((await pay(purchase)).outcome).toBe('paid');
    expect(await balanceOf(user.id)).toBe(13_000);
  });

  it('gives the Stars back when the purchase expired before the payment arrived', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    await core.ds.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [purchase.id]);
    const charge = chargeId();
    expect(await pay(purchase, charge)).toEqual({
      outcome: 'returned',
      reason: PaymentsErrorCode.PurchaseExpired,
    });
    expect(refundsSent(charge)).toHaveLength(1);
    expect(refundsSent(charge)[0].params.user_id).toBe(user.id);
    expect(await subscriptionOf(user.id)).toBeUndefined();
    // Redelivered: Telegram says the charge was refunded already, and that is fine.
    expect((await pay(purchase, charge)).outcome).toBe('returned');
  });
});

describe('Stars refund', () => {
  it('takes back the access and returns the Stars through refundStarPayment, once', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const charge = chargeId();
    await pay(purchase, charge);
    const refunded = await stars.refund(purchase.id);
    expect(refunded).toMatchObject({ outcome: 'refunded', starsReturned: true });
    expect(await statusOf(purchase.id)).toBe('refunded');
    expect((await subscriptionOf(user.id)).status).not.toBe('active');
    expect(refundsSent(charge).map((c) => c.params.user_id)).toEqual([user.id]);
    expect(await stars.refund(purchase.id)).toMatchObject({
      outcome: 'already_refunded',
      starsReturned: false,
    });
  });

  it('takes a refunded top-up back off the balance', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({
      kind: 'topup',
      userId: user.id,
      stars: 50,
      creditMinor: 6_500,
    });
    await pay(purchase);
    await stars.refund(purchase.id);
    expect(await balanceOf(user.id)).toBe(0);
  });

  it('finishes on a second try when Telegram failed to return the Stars the first time', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({
      kind: 'topup',
      userId: user.id,
      stars: 50,
      creditMinor: 6_500,
    });
    const charge = chargeId();
    await pay(purchase, charge);
    telegram.fault('refundStarPayment', { kind: 'status', code: 500, description: 'Internal Server Error' });
    await expect(stars.refund(purchase.id)).rejects.toMatchObject({ code: StarsErrorCode.ApiError });
    expect(await statusOf(purchase.id)).toBe('refunded');
    expect(refundsSent(charge)).toHaveLength(0);
    expect(await stars.refund(purchase.id)).toMatchObject({
      outcome: 'already_refunded',
      starsReturned: true,
    });
    expect(refundsSent(charge)).toHaveLength(1);
  });

  it('waits out Telegram flood control (429 retry_after) and returns the Stars once', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const charge = chargeId();
    await pay(purchase, charge);
    telegram.fault('refundStarPayment', { kind: 'status', code: 429, retryAfter: 1 });
    const t0 = Date.now();
    expect(await stars.refund(purchase.id)).toMatchObject({ outcome: 'refunded', starsReturned: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(refundsSent(charge)).toHaveLength(1);
  });

  it('never puts the bot token into the error when Telegram cannot be reached', async () => {
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    await pay(purchase);
    telegram.fault('refundStarPayment', { kind: 'drop' });
    const err = (await stars.refund(purchase.id).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe(StarsErrorCode.Unavailable);
    expect(err.message).not.toContain(BOT_TOKEN);
  });

  it('refuses a purchase that was not paid with Stars', async () => {
    const paid = await core.factory.purchase({ status: 'paid', paidAt: new Date() });
    await expect(stars.refund(paid.id)).rejects.toMatchObject({ code: StarsErrorCode.NotPayable });
  });
});

describe('Stars disabled', () => {
  it('refuses pre-checkout and new invoices when STARS_ENABLED=false', async () => {
    const off = await startCoreApp({ imports: [StarsModule], env: { STARS_ENABLED: 'false' } });
    try {
      const service = off.get(StarsService);
      const user = await off.factory.user();
      const purchase = await off.factory.purchase({
        userId: user.id,
        provider: 'stars',
        currency: 'XTR',
        amountMinor: 150,
      });
      expect(
        await service.answerPreCheckout({
          from: { id: user.id },
          currency: 'XTR',
          total_amount: 150,
          invoice_payload: purchase.id,
        }),
      ).toMatchObject({ ok: false, reason: 'disabled' });
      await expect(
        service.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' }),
      ).rejects.toMatchObject({
        code: StarsErrorCode.Disabled,
      });
    } finally {
      await off.close();
    }
  });
});
