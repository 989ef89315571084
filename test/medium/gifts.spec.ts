import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { GiftsService } from '../../src/payments/gifts/gifts.service';
import { BotHarness, buttonsOf, callbackData, lastText } from './telegram-ux-harness';

const ADMIN_ID = 490_200_001;
let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({
    cryptoPay: true,
    env: { ADMIN_IDS: String(ADMIN_ID), GIFT_VALID_DAYS: '10' },
  });
});
afterAll(async () => {
  await bot?.stop();
});

const admin: FakeUser = { id: ADMIN_ID, firstName: 'Op', languageCode: 'en' };
const DAY_MS = 86_400_000;
const LINK = /https:\/\/t\.me\/fake_vpn_bot\?start=gift_([A-Za-z0-9_-]{24})/;

const one = async <T>(sql: string, params: unknown[]) => (await bot.query<T>(sql, params))[0];
const balanceOf = async (id: number) =>
  Number((await one<{ b: string }>('SELECT balance_minor AS b FROM users WHERE id = $1', [id])).b);
const giftOf = (buyerId: number) =>
  one<{
    id: string;
    status: string;
    recipient_id: string | null;
    token_hash: string | null;
    purchase_id: string;
  }>('SELECT id, status, recipient_id, token_hash, purchase_id FROM gifts WHERE buyer_id = $1', [buyerId]);
const expiresOf = async (id: number) =>
  (await one<{ e: Date } | undefined>('SELECT expires_at AS e FROM subscriptions WHERE user_id = $1', [id]))
    ?.e;
async function noticesTo(user: FakeUser): Promise<string[]> {
  await bot.runJob('notifications-delivery');
  return bot.telegram.sentTo(user.id, 'sendMessage').map((c) => String(c.params.text));
}
async function buyer(balanceMinor: number): Promise<FakeUser> {
  const user = bot.newUser();
  await bot.factory.user({ id: user.id, balanceMinor, languageCode: 'en' });
  return user;
}
/** Plans → 🎁 Gift → 1 month → from balance → Pay: the screen with the link. */
async function buyGiftWithBalance(user: FakeUser) {
  expect(callbackData(await bot.tap(user, 'plans'))).toContain('gift');
  expect(callbackData(await bot.tap(user, 'gift'))).toContain('gp:1m');
  expect(callbackData(await bot.tap(user, 'gp:1m'))).toEqual(['gpb:1m', 'gpc:1m', 'gps:1m', 'gift']);
  const confirm = await bot.tap(user, 'gpb:1m');
  return bot.tap(
    user,
    callbackData(confirm).find((d) => d.startsWith('gpbok:1m:'))!,
  );
}
const tokenOf = (text: string) => LINK.exec(text)?.[1];

describe('gift subscriptions', () => {
  it('sells a gift from the balance, shares its link, gives it once to a new user and tells the buyer', async () => {
    const giver = await buyer(50_000);
    const ready = await buyGiftWithBalance(giver);
    const token = tokenOf(lastText(ready))!;
    expect(token).toBeDefined();
    expect(await balanceOf(giver.id)).toBe(50_000 - 19_900);
    const share = buttonsOf(ready).find((b) => b.url?.startsWith('https://t.me/share/url?'))!;
    expect(decodeURIComponent(share.url!)).toContain(`https://t.me/fake_vpn_bot?start=gift_${token}`);
    // Only the hash of the token is stored; the buyer's own subscription is untouched.
    const gift = await giftOf(giver.id);
    expect(gift).toMatchObject({
      status: 'open',
      token_hash: createHash('sha256').update(token).digest('hex'),
    });
    expect(
      JSON.stringify(await bot.query('SELECT * FROM gifts WHERE buyer_id = $1', [giver.id])),
    ).not.toContain(token);
    expect(await expiresOf(giver.id)).toBeUndefined();
    const validity = await one<{ days: number }>(
      'SELECT round(extract(epoch FROM expires_at - now()) / 86400)::int AS days FROM gifts WHERE id = $1',
      [gift.id],
    );
    expect(validity.days).toBe(10);

    const friend = bot.newUser({ firstName: 'Bob' });
    const redeemed = await bot.say(friend, `/start gift_${token}`);
    expect(lastText(redeemed)).toMatch(/You received a gift.*30 days/s);
    expect(Math.round(((await expiresOf(friend.id))!.getTime() - Date.now()) / DAY_MS)).toBe(30);
    expect(await giftOf(giver.id)).toMatchObject({ status: 'redeemed', recipient_id: String(friend.id) });

    const latecomer = bot.newUser();
    expect(lastText(await bot.say(latecomer, `/start gift_${token}`))).toMatch(/already been redeemed/);
    expect(await expiresOf(latecomer.id)).toBeUndefined();
    expect(lastText(await bot.say(friend, `/start gift_${token}`))).toMatch(/already been redeemed/);
    expect(Math.round(((await expiresOf(friend.id))!.getTime() - Date.now()) / DAY_MS)).toBe(30);

    const notices = await noticesTo(giver);
    expect(notices.filter((t) => /was redeemed by your friend/.test(t))).toHaveLength(1);
  });

  it('extends an existing subscription of the recipient', async () => {
    const giver = await buyer(50_000);
    const token = tokenOf(lastText(await buyGiftWithBalance(giver)))!;
    const friend = bot.newUser();
    const until = new Date(Date.now() + 5 * DAY_MS);
    await bot.factory.user({ id: friend.id, languageCode: 'en' });
    await bot.factory.subscription({ userId: friend.id, expiresAt: until });
    expect(lastText(await bot.say(friend, `/start gift_${token}`))).toMatch(/subscription was extended/);
    expect((await expiresOf(friend.id))!.getTime()).toBe(until.getTime() + 30 * DAY_MS);
  });

  it('describes a gift invoice at Crypto Pay in the buyer’s language', async () => {
    const giver = bot.newUser({ languageCode: 'ru' });
    await bot.factory.user({ id: giver.id, languageCode: 'ru' });
    await bot.tap(giver, 'gpc:1m');
    const { provider_invoice_id } = await one<{ provider_invoice_id: string }>(
      'SELECT provider_invoice_id FROM purchases WHERE user_id = $1',
      [giver.id],
    );
    expect(bot.cryptoPay!.invoices.get(Number(provider_invoice_id))?.description).toMatch(
      /^Подарок: доступ к VPN/,
    );
  });

  it('sells a gift through Crypto Pay: the paid notice brings the link, and a new link retires the old one', async () => {
    const giver = await buyer(0);
    await bot.tap(giver, 'gpc:1m');
    const purchase = await one<{ id: string; kind: string; provider_invoice_id: string }>(
      'SELECT id, kind, provider_invoice_id FROM purchases WHERE user_id = $1',
      [giver.id],
    );
    expect(purchase.kind).toBe('gift');
    bot.cryptoPay!.markPaid(Number(purchase.provider_invoice_id));
    await bot.runJob('crypto-pay-watcher');
    await bot.runJob('notifications-delivery');
    const notice = bot.telegram.sentTo(giver.id, 'sendMessage').at(-1)!;
    expect(String(notice.params.text)).toMatch(/Your gift is paid/);
    const gift = await giftOf(giver.id);
    expect(callbackData([notice])).toEqual([`gl:${gift.id}`]);

    const first = tokenOf(lastText(await bot.tap(giver, `gl:${gift.id}`)))!;
    const second = tokenOf(lastText(await bot.tap(giver, `gl:${gift.id}`)))!;
    expect(second).not.toBe(first);
    const friend = bot.newUser();
    expect(lastText(await bot.say(friend, `/start gift_${first}`))).toMatch(/not valid/);
    expect(lastText(await bot.say(friend, `/start gift_${second}`))).toMatch(/You received a gift/);
    // A redeemed gift has no new link to give.
    expect(lastText(await bot.tap(giver, `gl:${gift.id}`))).toMatch(/already been redeemed/);
  });

  it('refuses the buyer their own gift, a forged link and someone else’s link button', async () => {
    const giver = await buyer(50_000);
    const token = tokenOf(lastText(await buyGiftWithBalance(giver)))!;
    expect(lastText(await bot.say(giver, `/start gift_${token}`))).toMatch(/your own gift/);
    const stranger = bot.newUser();
    expect(lastText(await bot.say(stranger, '/start gift_AAAAAAAAAAAAAAAAAAAAAAAA'))).toMatch(/not valid/);
    expect(lastText(await bot.say(stranger, '/start gift_short'))).toMatch(/not valid/);
    const gift = await giftOf(giver.id);
    expect(lastText(await bot.tap(stranger, `gl:${gift.id}`))).toMatch(/not valid/);
    expect((await giftOf(giver.id)).status).toBe('open');
    expect(lastText(await bot.say(stranger, `/start gift_${token}`))).toMatch(/You received a gift/);
  });

  it('refunds an unredeemed gift to the buyer’s balance once after its validity, and then refuses the link', async () => {
    const giver = await buyer(50_000);
    const token = tokenOf(lastText(await buyGiftWithBalance(giver)))!;
    const gift = await giftOf(giver.id);
    await bot.query("UPDATE gifts SET expires_at = now() - interval '1 minute' WHERE id = $1", [gift.id]);
    await bot.runJob('gift-expiry');
    await bot.runJob('gift-expiry');
    expect(await balanceOf(giver.id)).toBe(50_000);
    const ledger = await bot.query<{ delta_minor: string }>(
      "SELECT delta_minor FROM balance_ledger WHERE user_id = $1 AND reason = 'gift_refund'",
      [giver.id],
    );
    expect(ledger.map((r) => Number(r.delta_minor))).toEqual([19_900]);
    expect(
      await one<{ status: string }>('SELECT status FROM purchases WHERE id = $1', [gift.purchase_id]),
    ).toEqual({
      status: 'refunded',
    });
    expect((await noticesTo(giver)).filter((t) => /went back to your balance/.test(t))).toHaveLength(1);
    expect(lastText(await bot.say(bot.newUser(), `/start gift_${token}`))).toMatch(/not valid/);
  });
});

describe('gift races', () => {
  it('gives a gift to exactly one of several people opening the link at once', async () => {
    const giver = await buyer(50_000);
    const token = tokenOf(lastText(await buyGiftWithBalance(giver)))!;
    const friends = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const f = bot.newUser();
        await bot.factory.user({ id: f.id, languageCode: 'en' });
        return f;
      }),
    );
    const gifts = bot.app.get(GiftsService);
    const results = await Promise.allSettled(friends.map((f) => gifts.redeem(f.id, token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as { code: string }).code] : [],
    );
    expect(codes).toEqual(['GIFT_ALREADY_REDEEMED', 'GIFT_ALREADY_REDEEMED', 'GIFT_ALREADY_REDEEMED']);
    const grants = await one<{ n: number }>(
      "SELECT count(*)::int AS n FROM subscription_grants WHERE source = 'gift' AND purchase_id = $1",
      [(await giftOf(giver.id)).purchase_id],
    );
    expect(grants.n).toBe(1);
  });
});

describe('admin gifts', () => {
  it('refunds a redeemed balance gift with /refund: the buyer gets the money, the recipient loses the days', async () => {
    const giver = await buyer(19_900);
    const token = tokenOf(lastText(await buyGiftWithBalance(giver)))!;
    const friend = bot.newUser();
    await bot.say(friend, `/start gift_${token}`);
    const gift = await giftOf(giver.id);
    expect(callbackData(await bot.say(admin, `/refund ${gift.purchase_id}`))).toContain(
      `adm:rf:ok:${gift.purchase_id}`,
    );
    await bot.tap(admin, `adm:rf:ok:${gift.purchase_id}`);
    expect(await balanceOf(giver.id)).toBe(19_900);
    const sub = await one<{ status: string; expires_at: Date }>(
      'SELECT status, expires_at FROM subscriptions WHERE user_id = $1',
      [friend.id],
    );
    expect(sub.expires_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(sub.status).not.toBe('active');
  });

  it('lists gifts and refunds an open one to the buyer’s balance once', async () => {
    const giver = await buyer(19_900);
    await buyGiftWithBalance(giver);
    const gift = await giftOf(giver.id);
    expect(lastText(await bot.say(admin, '/gifts'))).toContain(
      `${gift.id} — 1m (30 d) from ${giver.id}: open`,
    );
    expect(lastText(await bot.say(admin, `/gift ${gift.id}`))).toContain(`/gift refund ${gift.id}`);
    expect(lastText(await bot.say(admin, `/gift refund ${gift.id}`))).toMatch(/refunded: 199\.00 RUB/);
    expect(await balanceOf(giver.id)).toBe(19_900);
    expect(lastText(await bot.say(admin, `/gift refund ${gift.id}`))).toMatch(
      /is refunded: only an open gift/,
    );
    expect(await balanceOf(giver.id)).toBe(19_900);
  });

  it('explains a malformed /gift command and an unknown gift', async () => {
    expect(lastText(await bot.say(admin, '/gift'))).toMatch(/^Usage: \/gift <gift id>/);
    expect(lastText(await bot.say(admin, '/gift refund nope'))).toMatch(/^Usage: \/gift <gift id>/);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(lastText(await bot.say(admin, `/gift refund ${unknown}`))).toBe(`No gift ${unknown}.`);
  });
});
