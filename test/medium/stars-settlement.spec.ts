import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { accessRestricted } from '../../src/telegram/bot/views/menu.view';
import { BotHarness, lastText } from './telegram-ux-harness';

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({ env: { TELEGRAM_UPDATE_MAX_ATTEMPTS: '1' } });
});
afterAll(async () => {
  await bot?.stop();
});

const purchaseOf = async (userId: number) =>
  (
    await bot.query<{ id: string; status: string }>(
      'SELECT id, status FROM purchases WHERE user_id = $1 ORDER BY created_at',
      [userId],
    )
  )[0];
const grantsOf = async (purchaseId: string) =>
  (await bot.query('SELECT 1 FROM subscription_grants WHERE purchase_id = $1', [purchaseId])).length;
const subscriptionOf = async (userId: number) =>
  (
    await bot.query<{ status: string; expires_at: Date }>(
      'SELECT status, expires_at FROM subscriptions WHERE user_id = $1',
      [userId],
    )
  )[0];

async function paidStarsPurchase(user: FakeUser, chargeId: string): Promise<string> {
  await bot.say(user, '/start');
  await bot.tap(user, 'ps:1m');
  const purchase = await purchaseOf(user.id);
  await bot.handled(() => bot.telegram.preCheckout(user, { payload: purchase.id, totalAmount: 150 }));
  await bot.handled(() =>
    bot.telegram.successfulPayment(user, { payload: purchase.id, totalAmount: 150, chargeId }),
  );
  return purchase.id;
}

function refundedPayment(user: FakeUser, p: { payload: string; chargeId: string }): number {
  return bot.telegram.push({
    message: {
      message_id: 9_000 + user.id,
      from: { id: user.id, is_bot: false, first_name: user.firstName },
      chat: { id: user.id, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      refunded_payment: {
        currency: 'XTR',
        total_amount: 150,
        invoice_payload: p.payload,
        telegram_payment_charge_id: p.chargeId,
      },
    },
  });
}

describe('Stars a payer was charged are never swallowed', () => {
  it('retries a Stars payment update past TELEGRAM_UPDATE_MAX_ATTEMPTS until it is settled', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'ps:1m');
    const purchase = await purchaseOf(user.id);
    await bot.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [purchase.id]);
    bot.telegram.fault(
      'refundStarPayment',
      { kind: 'status', code: 400, description: 'Bad Request: try later' },
      2,
    );
    const updateId = bot.telegram.successfulPayment(user, {
      payload: purchase.id,
      totalAmount: 150,
      chargeId: 'stxr_retried_1',
    });
    await bot.until(async () => (await bot.updateState(updateId)) === 'done', 20_000);
    const returned = bot.telegram.sent.filter(
      (c) => c.method === 'refundStarPayment' && c.params.telegram_payment_charge_id === 'stxr_retried_1',
    );
    expect(returned.length).toBeGreaterThanOrEqual(1);
  });

  it("credits a banned payer's successful Stars payment before the ban applies", async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'ps:1m');
    const purchase = await purchaseOf(user.id);
    await bot.handled(() => bot.telegram.preCheckout(user, { payload: purchase.id, totalAmount: 150 }));
    await bot.query('UPDATE users SET is_banned = true WHERE id = $1', [user.id]);
    await bot.handled(() =>
      bot.telegram.successfulPayment(user, {
        payload: purchase.id,
        totalAmount: 150,
        chargeId: 'stxr_banned_1',
      }),
    );
    expect((await purchaseOf(user.id)).status).toBe('paid');
    expect(await grantsOf(purchase.id)).toBe(1);
    // Then the ban applies as before.
    expect(lastText(await bot.say(user, '/start'))).toBe(accessRestricted.en);
  });

  it('credits a Stars payment whose successful_payment never arrived when reconciling with getStarTransactions, once', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'ps:1m');
    const purchase = await purchaseOf(user.id);
    await bot.handled(() => bot.telegram.preCheckout(user, { payload: purchase.id, totalAmount: 150 }));
    bot.telegram.starPayment(user, {
      payload: purchase.id,
      totalAmount: 150,
      chargeId: 'stxr_lost_update_1',
    });
    expect(await bot.runJob('stars-reconcile')).toBe('ok');
    expect(await bot.runJob('stars-reconcile')).toBe('ok');
    expect((await purchaseOf(user.id)).status).toBe('paid');
    expect(await grantsOf(purchase.id)).toBe(1);
  });

  it('reverses a Stars purchase that Telegram refunded by itself (refunded_payment), once', async () => {
    const user = bot.newUser();
    const purchaseId = await paidStarsPurchase(user, 'stxr_tg_refund_1');
    expect((await subscriptionOf(user.id)).status).toBe('active');
    const refundCallsBefore = bot.telegram.sent.filter((c) => c.method === 'refundStarPayment').length;

    await bot.handled(() => refundedPayment(user, { payload: purchaseId, chargeId: 'stxr_tg_refund_1' }));
    await bot.handled(() => refundedPayment(user, { payload: purchaseId, chargeId: 'stxr_tg_refund_1' }));
    expect((await purchaseOf(user.id)).status).toBe('refunded');
    expect((await subscriptionOf(user.id)).expires_at.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(
      await bot.query(`SELECT 1 FROM notifications WHERE user_id = $1 AND kind = 'refund_processed'`, [
        user.id,
      ]),
    ).toHaveLength(1);
    // Telegram gave the Stars back already: they are not sent a second time.
    expect(bot.telegram.sent.filter((c) => c.method === 'refundStarPayment').length).toBe(refundCallsBefore);
  });
});
