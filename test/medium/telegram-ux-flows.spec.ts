import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { answersOf, BotHarness, buttonsOf, callbackData, lastText, textsOf } from './telegram-ux-harness';

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({ cryptoPay: true });
});
afterAll(async () => {
  await bot?.stop();
});

const one = async <T>(sql: string, params: unknown[]) => (await bot.query<T>(sql, params))[0];
const balanceOf = async (id: number) =>
  Number((await one<{ b: string }>('SELECT balance_minor AS b FROM users WHERE id = $1', [id])).b);
const subscriptionOf = (id: number) =>
  one<{ status: string; is_trial: boolean; vpn_uuid: string; auto_renew: boolean; reissued_at: Date | null }>(
    'SELECT status, is_trial, vpn_uuid, auto_renew, reissued_at FROM subscriptions WHERE user_id = $1',
    [id],
  );
const purchasesOf = (id: number) =>
  bot.query<{ id: string; status: string; provider: string; provider_invoice_id: string | null }>(
    'SELECT id, status, provider, provider_invoice_id FROM purchases WHERE user_id = $1 ORDER BY created_at',
    [id],
  );
/** Messages the notifications outbox delivered to `user` (delivery is run first). */
async function deliveredNotices(user: FakeUser): Promise<string[]> {
  // A new key first: "payment received" waits for it and goes out in the key's message.
  await bot.runJob('vpn-provisioning');
  await bot.runJob('notifications-delivery');
  // Notices are the messages the outbox sent: their texts never come from a handler's screen.
  return bot.telegram.sentTo(user.id, 'sendMessage').map((c) => String(c.params.text));
}
/** A registered user with a balance, as the bot would know them after /start. */
async function userWithBalance(balanceMinor: number, over: Partial<FakeUser> = {}): Promise<FakeUser> {
  const u = bot.newUser(over);
  await bot.factory.user({ id: u.id, balanceMinor, languageCode: u.languageCode ?? 'en' });
  return u;
}

describe('start and main menu', () => {
  it('registers a user on /start with a referral payload and shows the main menu with a trial button', async () => {
    const referrer = bot.newUser();
    await bot.say(referrer, '/start');
    const friend = bot.newUser({ firstName: 'Bob' });
    const calls = await bot.say(friend, `/start ref_${referrer.id}`);
    const row = await one<{ referrer_id: string }>('SELECT referrer_id FROM users WHERE id = $1', [
      friend.id,
    ]);
    expect(Number(row.referrer_id)).toBe(referrer.id);
    expect(lastText(calls)).toMatch(/Welcome, Bob/);
    expect(callbackData(calls)).toEqual(['trial', 'plans', 'sub', 'bal', 'ref', 'help', 'lang']);
  });

  it('greets a Russian-speaking user in Russian', async () => {
    const calls = await bot.say(bot.newUser({ languageCode: 'ru-RU', firstName: 'Иван' }), '/start');
    expect(lastText(calls)).toMatch(/Добро пожаловать, Иван/);
    expect(buttonsOf(calls).map((b) => b.text)).toContain('🔑 Моя подписка');
  });

  it('switches the language from the language menu, stores it and keeps using it', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    expect(callbackData(await bot.tap(user, 'lang'))).toEqual(['lang:en', 'lang:ru', 'lang:fa', 'menu']);
    const switched = await bot.tap(user, 'lang:ru');
    expect(answersOf(switched)[0].params.text).toBe('Язык: русский');
    expect(lastText(switched)).toMatch(/Баланс/);
    const row = await one<{ language_code: string }>('SELECT language_code FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(row.language_code).toBe('ru');
    expect(lastText(await bot.say(user, '/help'))).toMatch(/Поддержка: @help_desk/);
    await bot.tap(user, 'lang:en');
    expect(lastText(await bot.say(user, '/help'))).toMatch(/Support: @help_desk/);
  });

  it('shows the referral link, invited count and earnings', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.say(bot.newUser(), `/start ref_${user.id}`);
    const text = lastText(await bot.tap(user, 'ref'));
    expect(text).toContain(`https://t.me/fake_vpn_bot?start=ref_${user.id}`);
    expect(text).toMatch(/Invited: <b>1<\/b>/);
    expect(text).toMatch(/Earned: <b>.*0/);
  });
});

describe('free trial', () => {
  it('starts once, provisions the key on the core and announces it once through the outbox', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    const calls = await bot.tap(user, 'trial');
    expect(lastText(calls)).toMatch(/free trial is active until/);
    expect(callbackData(calls)).toContain('sub');
    const sub = await subscriptionOf(user.id);
    expect(sub).toMatchObject({ status: 'active', is_trial: true });
    await bot.runJob('vpn-provisioning');
    expect([...bot.core.users.values()].some((u) => u.uuid === sub.vpn_uuid)).toBe(true);
    const notices = await deliveredNotices(user);
    expect(notices.filter((t) => /key is ready/.test(t))).toHaveLength(1);
    expect((await deliveredNotices(user)).filter((t) => /key is ready/.test(t))).toHaveLength(1);
    const keyReady = bot.telegram
      .sentTo(user.id, 'sendMessage')
      .find((c) => /key is ready/.test(String(c.params.text)));
    expect(JSON.stringify(keyReady?.params.reply_markup)).toContain('"callback_data":"sub"');

    const again = await bot.tap(user, 'trial');
    expect(lastText(again)).toMatch(/already used your free trial/);
    expect(await bot.query('SELECT 1 FROM subscriptions WHERE user_id = $1', [user.id])).toHaveLength(1);
  });

  it('announces the key with the vless:// link, the subscription URL and a QR button, in the user’s language', async () => {
    for (const languageCode of ['en', 'ru']) {
      const user = { ...bot.newUser(), languageCode };
      await bot.say(user, '/start');
      await bot.tap(user, 'trial');
      await bot.runJob('vpn-provisioning');
      await deliveredNotices(user);
      const { vpn_uuid } = await subscriptionOf(user.id);
      const notice = bot.telegram
        .sentTo(user.id, 'sendMessage')
        .find((c) => String(c.params.text).includes(`<code>vless://${vpn_uuid}@vpn.example.test:443`));
      expect(notice?.params.parse_mode).toBe('HTML');
      expect(String(notice?.params.text)).toMatch(languageCode === 'en' ? /key is ready/ : /ключ готов/);
      expect(String(notice?.params.text)).toMatch(
        /<code>https:\/\/sub\.example\.test\/sub\/[A-Za-z0-9_-]{32}<\/code>/,
      );
      const markup = JSON.stringify(notice?.params.reply_markup);
      expect(markup).toContain('"callback_data":"sub:qr"');
      expect(markup).toContain('"callback_data":"sub"');
      // "My subscription" keeps showing the same key.
      expect(lastText(await bot.tap(user, 'sub'))).toContain(
        `<code>vless://${vpn_uuid}@vpn.example.test:443`,
      );
    }
  });

  it('is refused politely to a user who already has a paid subscription', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id });
    await bot.factory.subscription({ userId: user.id });
    const calls = await bot.tap(user, 'trial');
    expect(lastText(calls)).toMatch(/for new users only/);
    expect(callbackData(await bot.say(user, '/menu'))).not.toContain('trial');
  });
});

describe('my subscription', () => {
  it('shows status, expiry, the vless:// link, the subscription URL, a QR code photo and the setup guide', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    const calls = await bot.tap(user, 'sub');
    const text = lastText(calls);
    const { vpn_uuid } = await subscriptionOf(user.id);
    expect(text).toMatch(/active until/);
    expect(text).toContain(`<code>vless://${vpn_uuid}@vpn.example.test:443`);
    expect(text).toMatch(/<code>https:\/\/sub\.example\.test\/sub\/[A-Za-z0-9_-]{32}<\/code>/);
    expect(callbackData(calls)).toEqual(
      expect.arrayContaining(['sub:qr', 'sub:apps', 'sub:re', 'plans', 'menu']),
    );

    const qr = await bot.tap(user, 'sub:qr');
    const photo = qr.find((c) => c.method === 'sendPhoto');
    expect(photo?.params.photo).toMatchObject({ file: true });
    expect((photo?.params.photo as { bytes: number }).bytes).toBeGreaterThan(500);

    const guide = lastText(await bot.tap(user, 'sub:apps'));
    for (const app of ['v2rayNG', 'Hiddify', 'Streisand', 'v2rayN']) expect(guide).toContain(app);
  });

  it('reissues the key only after confirmation, and not again within the cooldown', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    const before = (await subscriptionOf(user.id)).vpn_uuid;

    const ask = await bot.tap(user, 'sub:re');
    expect(lastText(ask)).toMatch(/Reissue your key\?/);
    expect(callbackData(ask)).toEqual(['sub:re:ok', 'sub']);
    expect((await subscriptionOf(user.id)).vpn_uuid).toBe(before);

    const done = await bot.tap(user, 'sub:re:ok');
    const after = await subscriptionOf(user.id);
    expect(after.vpn_uuid).not.toBe(before);
    expect(after.reissued_at).not.toBeNull();
    expect(lastText(done)).toContain(`vless://${after.vpn_uuid}@`);

    for (const data of ['sub:re', 'sub:re:ok']) {
      const refused = await bot.tap(user, data);
      expect(answersOf(refused)[0].params).toMatchObject({
        text: expect.stringMatching(/reissued recently/),
        show_alert: true,
      });
    }
    expect((await subscriptionOf(user.id)).vpn_uuid).toBe(after.vpn_uuid);
  });

  it('switches auto-renew on and off and keeps the choice', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id });
    await bot.factory.subscription({ userId: user.id, planCode: '1m' });
    const on = await bot.tap(user, 'sub:ar:1');
    expect(answersOf(on)[0].params.text).toBe('Auto-renew is on');
    expect((await subscriptionOf(user.id)).auto_renew).toBe(true);
    expect(callbackData(on)).toContain('sub:ar:0');
    await bot.tap(user, 'sub:ar:0');
    expect((await subscriptionOf(user.id)).auto_renew).toBe(false);
  });

  it('tells a user without a subscription how to get one', async () => {
    const user = bot.newUser();
    const calls = await bot.tap(user, 'sub');
    expect(lastText(calls)).toMatch(/no subscription yet/);
    expect(callbackData(calls)).toEqual(['trial', 'plans', 'menu']);
  });
});

describe('buying a plan with the balance', () => {
  it('debits once after confirmation, even when the confirmation is pressed twice', async () => {
    const user = await userWithBalance(50_000);
    expect(callbackData(await bot.tap(user, 'plans'))).toEqual([
      'plan:1m',
      'plan:3m',
      'plan:6m',
      'plan:12m',
      'gift',
      'promo',
      'menu',
    ]);
    expect(callbackData(await bot.tap(user, 'plan:1m'))).toEqual(['pb:1m', 'pc:1m', 'ps:1m', 'plans']);
    const confirm = await bot.tap(user, 'pb:1m');
    const pay = callbackData(confirm).find((d) => d.startsWith('pbok:1m:'))!;
    expect(Buffer.byteLength(pay)).toBeLessThanOrEqual(64);
    expect(await balanceOf(user.id)).toBe(50_000);

    const paid = await bot.tap(user, pay);
    expect(lastText(paid)).toMatch(/Paid .*199.* from your balance/);
    expect(await balanceOf(user.id)).toBe(50_000 - 19_900);
    expect((await subscriptionOf(user.id)).status).toBe('active');

    const repeated = await bot.tap(user, pay);
    expect(lastText(repeated)).toMatch(/already/);
    expect(await balanceOf(user.id)).toBe(50_000 - 19_900);
    expect(await purchasesOf(user.id)).toHaveLength(1);
  });

  it('refuses clearly with a top-up button when the balance is too low, writing nothing', async () => {
    const user = await userWithBalance(1_000);
    const calls = await bot.tap(user, 'pb:1m');
    expect(lastText(calls)).toMatch(/Not enough balance/);
    expect(callbackData(calls)).toContain('bal');
    expect(await purchasesOf(user.id)).toHaveLength(0);
    expect(await balanceOf(user.id)).toBe(1_000);
  });
});

describe('buying a plan with Crypto Pay', () => {
  it('sends the invoice URL; once paid, the watcher credits it and the user is told once', async () => {
    const user = await userWithBalance(0);
    const calls = await bot.tap(user, 'pc:1m');
    const [purchase] = await purchasesOf(user.id);
    expect(purchase).toMatchObject({ status: 'pending', provider: 'crypto_pay' });
    const invoice = bot.cryptoPay!.invoices.get(Number(purchase.provider_invoice_id))!;
    expect(buttonsOf(calls).find((b) => b.url)?.url).toBe(invoice.bot_invoice_url);

    bot.cryptoPay!.markPaid(invoice.invoice_id);
    await bot.runJob('crypto-pay-watcher');
    expect((await purchasesOf(user.id))[0].status).toBe('paid');
    expect((await subscriptionOf(user.id)).status).toBe('active');
    await bot.runJob('crypto-pay-watcher');
    expect((await deliveredNotices(user)).filter((t) => /Payment received/.test(t))).toHaveLength(1);
    expect((await deliveredNotices(user)).filter((t) => /Payment received/.test(t))).toHaveLength(1);
  });
});

describe('buying a plan with Telegram Stars', () => {
  it('sends an XTR invoice, approves the pre-checkout and credits a payment delivered twice once', async () => {
    const user = await userWithBalance(0);
    const calls = await bot.tap(user, 'ps:1m');
    const invoice = calls.find((c) => c.method === 'sendInvoice')!;
    const [purchase] = await purchasesOf(user.id);
    expect(invoice.params).toMatchObject({
      chat_id: user.id,
      currency: 'XTR',
      provider_token: '',
      payload: purchase.id,
      prices: [{ label: expect.any(String), amount: 150 }],
    });

    const pre = await bot.handled(() =>
      bot.telegram.preCheckout(user, { payload: purchase.id, totalAmount: 150 }),
    );
    expect(pre.find((c) => c.method === 'answerPreCheckoutQuery')?.params).toMatchObject({ ok: true });

    const payment = { payload: purchase.id, totalAmount: 150, chargeId: 'stxr_twice_1' };
    const first = await bot.handled(() => bot.telegram.successfulPayment(user, payment));
    const second = await bot.handled(() => bot.telegram.successfulPayment(user, payment));
    expect(textsOf([...first, ...second])).toEqual([]);
    expect((await purchasesOf(user.id))[0].status).toBe('paid');
    const grants = await bot.query('SELECT 1 FROM subscription_grants WHERE purchase_id = $1', [purchase.id]);
    expect(grants).toHaveLength(1);
    expect((await deliveredNotices(user)).filter((t) => /Payment received/.test(t))).toHaveLength(1);
  });

  it('refuses the pre-checkout of an expired or already paid invoice with a reason the user understands', async () => {
    const user = await userWithBalance(0, { languageCode: 'ru' });
    await bot.tap(user, 'ps:1m');
    const [purchase] = await purchasesOf(user.id);
    const answerFor = async () =>
      (
        await bot.handled(() => bot.telegram.preCheckout(user, { payload: purchase.id, totalAmount: 150 }))
      ).find((c) => c.method === 'answerPreCheckoutQuery')?.params;

    await bot.query(`UPDATE purchases SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      purchase.id,
    ]);
    expect(await answerFor()).toMatchObject({ ok: false, error_message: expect.stringMatching(/истёк/) });

    await bot.query(`UPDATE purchases SET status = 'paid', paid_at = now() WHERE id = $1`, [purchase.id]);
    expect(await answerFor()).toMatchObject({
      ok: false,
      error_message: expect.stringMatching(/уже оплачен/),
    });
  });

  it('gives the Stars back and says so when the payment arrives for an invoice that expired meanwhile', async () => {
    const user = await userWithBalance(0);
    await bot.tap(user, 'ps:1m');
    const [purchase] = await purchasesOf(user.id);
    await bot.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [purchase.id]);
    const calls = await bot.handled(() =>
      bot.telegram.successfulPayment(user, {
        payload: purchase.id,
        totalAmount: 150,
        chargeId: 'stxr_late_1',
      }),
    );
    expect(calls.find((c) => c.method === 'refundStarPayment')?.params).toMatchObject({
      user_id: user.id,
      telegram_payment_charge_id: 'stxr_late_1',
    });
    expect(lastText(calls)).toMatch(/Stars were returned/);
    expect(await bot.query('SELECT 1 FROM subscriptions WHERE user_id = $1', [user.id])).toHaveLength(0);
  });
});

describe('topping up the balance with Crypto Pay', () => {
  it('offers both methods, sends the invoice, and credits the balance once when paid', async () => {
    const user = await userWithBalance(0);
    expect(callbackData(await bot.tap(user, 'tu:30000'))).toEqual(['tc:30000', 'ts:30000', 'bal']);
    const calls = await bot.tap(user, 'tc:30000');
    const [purchase] = await purchasesOf(user.id);
    const invoice = bot.cryptoPay!.invoices.get(Number(purchase.provider_invoice_id))!;
    expect(invoice).toMatchObject({ amount: '300.00', fiat: 'RUB' });
    expect(buttonsOf(calls).find((b) => b.url)?.url).toBe(invoice.bot_invoice_url);
    bot.cryptoPay!.markPaid(invoice.invoice_id);
    await bot.runJob('crypto-pay-watcher');
    await bot.runJob('crypto-pay-watcher');
    expect(await balanceOf(user.id)).toBe(30_000);
    expect((await deliveredNotices(user)).filter((t) => /Balance topped up/.test(t))).toHaveLength(1);
  });
});

describe('blocking and unblocking the bot', () => {
  it('marks the user blocked when Telegram reports a block, and clears it on unblock', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    const member = (status: 'kicked' | 'member') => () =>
      bot.telegram.push({
        my_chat_member: {
          chat: { id: user.id, type: 'private', first_name: 'Ann' },
          from: { id: user.id, is_bot: false, first_name: 'Ann' },
          date: Math.floor(Date.now() / 1000),
          old_chat_member: {
            status: status === 'kicked' ? 'member' : 'kicked',
            user: { id: 1, is_bot: true },
          },
          new_chat_member: { status, user: { id: 1, is_bot: true } },
        },
      });
    const blockedAt = async () =>
      (await one<{ blocked_at: Date | null }>('SELECT blocked_at FROM users WHERE id = $1', [user.id]))
        .blocked_at;
    expect(await bot.handled(member('kicked'))).toEqual([]);
    expect(await blockedAt()).not.toBeNull();
    await bot.handled(member('member'));
    expect(await blockedAt()).toBeNull();
  });
});
