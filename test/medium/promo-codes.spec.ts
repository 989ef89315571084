import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { PromoService } from '../../src/promo/promo.service';
import { promoPromptText } from '../../src/telegram/bot/views/promo.view';
import { BotHarness, callbackData, lastText } from './telegram-ux-harness';

const ADMIN_ID = 490_100_001;
let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({ env: { ADMIN_IDS: String(ADMIN_ID), TRIAL_DAYS: '3' } });
});
afterAll(async () => {
  await bot?.stop();
});

const admin: FakeUser = { id: ADMIN_ID, firstName: 'Op', languageCode: 'en' };
const DAY_MS = 86_400_000;
let codeSeq = 0;
const uniqueCode = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${codeSeq++}`;

const one = async <T>(sql: string, params: unknown[]) => (await bot.query<T>(sql, params))[0];
const balanceOf = async (id: number) =>
  Number((await one<{ b: string }>('SELECT balance_minor AS b FROM users WHERE id = $1', [id])).b);
const subscriptionOf = (id: number) =>
  one<{ expires_at: Date; is_trial: boolean } | undefined>(
    'SELECT expires_at, is_trial FROM subscriptions WHERE user_id = $1',
    [id],
  );
const usesOf = async (code: string) =>
  (await one<{ uses: number }>('SELECT uses FROM promo_codes WHERE code = $1', [code])).uses;
const redemptionsOf = async (code: string) =>
  (
    await one<{ n: number }>(
      'SELECT count(*)::int AS n FROM promo_redemptions r JOIN promo_codes c ON c.id = r.code_id WHERE c.code = $1',
      [code],
    )
  ).n;

async function newCode(args: string): Promise<string> {
  const reply = lastText(await bot.say(admin, `/promo new ${args}`));
  expect(reply).toMatch(/^✅ Created/);
  return args.split(' ')[0];
}
async function started(balanceMinor = 0): Promise<FakeUser> {
  const user = bot.newUser();
  await bot.factory.user({ id: user.id, balanceMinor, languageCode: 'en' });
  return user;
}
/** The user's message answering the promo prompt (a ForceReply answer, as Telegram delivers it). */
function codeReply(user: FakeUser, code: string, prompt = promoPromptText('en')) {
  return {
    message: {
      message_id: 9_000 + Math.floor(Math.random() * 1_000),
      from: { id: user.id, is_bot: false, first_name: 'Ann', language_code: 'en' },
      chat: { id: user.id, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text: code,
      reply_to_message: {
        message_id: 77,
        from: { id: 123456, is_bot: true, first_name: 'Fake' },
        chat: { id: user.id, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: prompt,
      },
    },
  };
}
/** What a user does: "🎟 Promo code", then the code in reply to the prompt. */
async function enter(user: FakeUser, code: string) {
  const prompt = (await bot.tap(user, 'promo')).find((c) => c.method === 'sendMessage')!;
  expect(prompt.params.reply_markup).toMatchObject({ force_reply: true });
  return bot.handled(() => bot.telegram.push(codeReply(user, code, String(prompt.params.text))));
}

describe('promo code kinds', () => {
  it('extends an active subscription by the free days and starts one for a user without', async () => {
    const code = await newCode(`${uniqueCode('DAYS')} days 7`);
    const subscribed = await started();
    const until = new Date(Date.now() + 10 * DAY_MS);
    await bot.factory.subscription({ userId: subscribed.id, expiresAt: until });
    expect(lastText(await enter(subscribed, code))).toMatch(/applied: \+7 days/);
    expect((await subscriptionOf(subscribed.id))!.expires_at.getTime()).toBe(until.getTime() + 7 * DAY_MS);

    const fresh = await started();
    expect(lastText(await enter(fresh, code.toLowerCase()))).toMatch(/applied: \+7 days/);
    const sub = (await subscriptionOf(fresh.id))!;
    expect(Math.round((sub.expires_at.getTime() - Date.now()) / DAY_MS)).toBe(7);
    const grant = await one<{ source: string }>(
      'SELECT g.source FROM subscription_grants g JOIN subscriptions s ON s.id = g.subscription_id WHERE s.user_id = $1',
      [fresh.id],
    );
    expect(grant.source).toBe('promo');
  });

  it('credits the balance as one ledger row', async () => {
    const code = await newCode(`${uniqueCode('CASH')} credit 150`);
    const user = await started(1_000);
    expect(lastText(await enter(user, code))).toMatch(/added to your balance/);
    expect(await balanceOf(user.id)).toBe(16_000);
    const rows = await bot.query<{ delta_minor: string }>(
      "SELECT delta_minor FROM balance_ledger WHERE user_id = $1 AND reason = 'promo'",
      [user.id],
    );
    expect(rows.map((r) => Number(r.delta_minor))).toEqual([15_000]);
  });

  it('starts a longer trial for a new user and refuses it to someone who had a trial', async () => {
    const code = await newCode(`${uniqueCode('TRY')} trial 14`);
    const fresh = await started();
    expect(lastText(await enter(fresh, code))).toMatch(/14-day free trial has started/);
    const sub = (await subscriptionOf(fresh.id))!;
    expect(sub.is_trial).toBe(true);
    expect(Math.round((sub.expires_at.getTime() - Date.now()) / DAY_MS)).toBe(14);

    const veteran = await started();
    await bot.tap(veteran, 'trial');
    expect(lastText(await enter(veteran, code))).toMatch(/only for users who have not had a trial/);
    expect(await redemptionsOf(code)).toBe(1);
    expect(await usesOf(code)).toBe(1);
  });

  it('discounts only the given plan, is spent once by the purchase that used it', async () => {
    const code = await newCode(`${uniqueCode('SALE')} discount 20% plans=1m`);
    const user = await started(100_000);
    expect(lastText(await enter(user, code))).toMatch(/20% off your next plan \(1m\)/);
    expect(lastText(await bot.tap(user, 'plan:3m'))).not.toMatch(/Promo discount/);
    const methods = await bot.tap(user, 'plan:1m');
    expect(lastText(methods)).toMatch(/Promo discount: −20%/);
    const confirm = await bot.tap(user, 'pb:1m');
    expect(lastText(confirm)).toMatch(/Pay .*159\.20/);
    await bot.tap(
      user,
      callbackData(confirm).find((d) => d.startsWith('pbok:'))!,
    );
    expect(await balanceOf(user.id)).toBe(100_000 - 15_920);

    // Spent: the next purchase of the same plan pays the full price.
    expect(lastText(await bot.tap(user, 'plan:1m'))).not.toMatch(/Promo discount/);
    const second = await bot.tap(user, 'pb:1m');
    await bot.tap(
      user,
      callbackData(second).find((d) => d.startsWith('pbok:'))!,
    );
    expect(await balanceOf(user.id)).toBe(100_000 - 15_920 - 19_900);
    const amounts = await bot.query<{ amount_minor: string; promo: string | null }>(
      'SELECT amount_minor, promo_redemption_id AS promo FROM purchases WHERE user_id = $1 ORDER BY created_at',
      [user.id],
    );
    expect(amounts.map((a) => [Number(a.amount_minor), a.promo !== null])).toEqual([
      [15_920, true],
      [19_900, false],
    ]);
  });

  it('gives the discount back when the purchase that held it expires unpaid', async () => {
    const code = await newCode(`${uniqueCode('BACK')} discount 50`);
    const user = await started(100_000);
    await enter(user, code);
    const invoice = (await bot.tap(user, 'ps:1m')).find((c) => c.method === 'sendInvoice')!;
    expect(invoice.params.prices).toEqual([expect.objectContaining({ amount: 75 })]);
    // While the Stars invoice is open, the discount is held: a balance purchase with it is refused.
    const held = await bot.tap(user, 'pb:1m');
    expect(lastText(held)).toMatch(/Pay .*99\.50/);
    const refused = await bot.tap(
      user,
      callbackData(held).find((d) => d.startsWith('pbok:'))!,
    );
    expect(lastText(refused)).toMatch(/held by an unpaid invoice/);
    expect(await balanceOf(user.id)).toBe(100_000);

    await bot.query("UPDATE purchases SET expires_at = now() - interval '1 minute' WHERE user_id = $1", [
      user.id,
    ]);
    await bot.runJob('purchase-expiry');
    const again = await bot.tap(user, 'pb:1m');
    await bot.tap(
      user,
      callbackData(again).find((d) => d.startsWith('pbok:'))!,
    );
    expect(await balanceOf(user.id)).toBe(100_000 - 9_950);
    const rows = await bot.query<{ status: string }>(
      'SELECT status FROM purchases WHERE user_id = $1 ORDER BY created_at',
      [user.id],
    );
    expect(rows.map((r) => r.status)).toEqual(['expired', 'paid']);
  });
});

describe('promo code limits', () => {
  it('lets exactly 5 of 20 concurrent redemptions of a 5-use code through', async () => {
    const code = await newCode(`${uniqueCode('RUSH')} credit 10 uses=5`);
    const users = await Promise.all(Array.from({ length: 20 }, () => started()));
    // Twenty users send the code at the same moment: the updates are handled concurrently.
    await Promise.all(users.map((u) => bot.handled(() => bot.telegram.push(codeReply(u, code)))));
    const texts = users.map((u) => String(bot.telegram.sentTo(u.id, 'sendMessage').at(-1)?.params.text));
    expect(texts.filter((t) => /added to your balance/.test(t))).toHaveLength(5);
    expect(texts.filter((t) => /used up/.test(t))).toHaveLength(15);
    expect(await usesOf(code)).toBe(5);
    expect(await redemptionsOf(code)).toBe(5);
    const credited = await one<{ n: number }>(
      "SELECT count(*)::int AS n FROM balance_ledger WHERE reason = 'promo' AND user_id = ANY($1::bigint[])",
      [users.map((u) => u.id)],
    );
    expect(credited.n).toBe(5);
  });

  it('redeems once per user, also when the same user presses twice at once', async () => {
    const code = await newCode(`${uniqueCode('ONCE')} credit 5`);
    const user = await started();
    const promo = bot.app.get(PromoService);
    const both = await Promise.allSettled([promo.redeem(user.id, code), promo.redeem(user.id, code)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await balanceOf(user.id)).toBe(500);
    expect(lastText(await enter(user, code))).toMatch(/already used this promo code/);
    expect(await balanceOf(user.id)).toBe(500);
    expect(await usesOf(code)).toBe(1);
  });

  it('refuses outside the validity window, and a code an admin switched off', async () => {
    const later = new Date(Date.now() + 5 * DAY_MS).toISOString().slice(0, 10);
    const future = await newCode(`${uniqueCode('SOON')} credit 5 from=${later}`);
    const user = await started();
    expect(lastText(await enter(user, future))).toMatch(/not active yet/);
    const old = await newCode(`${uniqueCode('OLD')} credit 5`);
    await bot.query("UPDATE promo_codes SET ends_at = now() - interval '1 second' WHERE code = $1", [old]);
    expect(lastText(await enter(user, old))).toMatch(/has expired/);
    const off = await newCode(`${uniqueCode('OFF')} credit 5`);
    expect(lastText(await bot.say(admin, `/promo off ${off}`))).toMatch(/switched off/);
    expect(lastText(await enter(user, off))).toMatch(/no longer active/);
    expect(await balanceOf(user.id)).toBe(0);
    expect(await redemptionsOf(off)).toBe(0);
  });

  it('keeps new-user and first-purchase codes from users who do not qualify', async () => {
    const forNew = await newCode(`${uniqueCode('HELLO')} days 3 new`);
    const old = await started();
    await bot.factory.subscription({ userId: old.id });
    expect(lastText(await enter(old, forNew))).toMatch(/for new users only/);
    const firstOnly = await newCode(`${uniqueCode('FIRST')} discount 10 first`);
    const buyer = await started();
    await bot.factory.purchase({ userId: buyer.id, status: 'paid', paidAt: new Date() });
    expect(lastText(await enter(buyer, firstOnly))).toMatch(/first purchase only/);
    expect(await redemptionsOf(forNew)).toBe(0);
    expect(await redemptionsOf(firstOnly)).toBe(0);
    const newcomer = await started();
    expect(lastText(await enter(newcomer, forNew))).toMatch(/\+3 days/);
  });
});

describe('promo code entry', () => {
  it('answers an unknown code and a text that cannot be a code clearly, writing nothing', async () => {
    const user = await started();
    const unknown = await enter(user, 'NOSUCHCODE42');
    expect(lastText(unknown)).toMatch(/no such promo code/);
    expect(callbackData(unknown)).toEqual(['promo', 'menu']);
    const junk = await enter(user, 'free vpn please!!');
    expect(lastText(junk)).toMatch(/does not look like a promo code/);
    const none = await one<{ n: number }>(
      'SELECT count(*)::int AS n FROM promo_redemptions WHERE user_id = $1',
      [user.id],
    );
    expect(none.n).toBe(0);
  });

  it('takes a numeric code as a code, not as a top-up amount', async () => {
    const code = await newCode(`${String(Date.now()).slice(-8)} credit 1`);
    expect(code).toMatch(/^\d{8}$/);
    const user = await started();
    expect(lastText(await enter(user, code))).toMatch(/added to your balance/);
  });

  it('redeems through the deep link /start promo_<CODE> for a new user, with no referrer', async () => {
    const code = await newCode(`${uniqueCode('LAND')} credit 20`);
    const user = bot.newUser();
    const calls = await bot.say(user, `/start promo_${code}`);
    expect(lastText(calls)).toMatch(/added to your balance/);
    const row = await one<{ referrer_id: string | null; balance_minor: string }>(
      'SELECT referrer_id, balance_minor FROM users WHERE id = $1',
      [user.id],
    );
    expect(row).toEqual({ referrer_id: null, balance_minor: '2000' });
    expect(lastText(await bot.say(user, `/start promo_${code}`))).toMatch(/already used/);
  });
});

describe('admin /promo', () => {
  it('explains every malformed /promo command and creates nothing', async () => {
    const before = await one<{ n: number }>('SELECT count(*)::int AS n FROM promo_codes', []);
    const cases: [string, RegExp][] = [
      ['/promo new', /Not enough arguments/],
      ['/promo new AB days 3', /"AB" is not a code/],
      ['/promo new GOODCODE weeks 3', /Unknown kind "weeks"/],
      ['/promo new GOODCODE days -3', /Bad value "-3" for days/],
      ['/promo new GOODCODE discount 100', /Bad value "100" for discount/],
      ['/promo new GOODCODE credit 1,234', /Bad value "1,234" for credit/],
      ['/promo new GOODCODE days 9999', /the value of a days code is 1–3650/],
      ['/promo new GOODCODE days 3 uses=0', /uses= needs a whole number from 1/],
      ['/promo new GOODCODE days 3 until=2026-02-30', /until= needs a date/],
      ['/promo new GOODCODE days 3 until=2000-01-01', /end date has passed/],
      ['/promo new GOODCODE discount 10 plans=9y', /no plan on sale is called 9y/],
      ['/promo new GOODCODE days 3 plans=1m', /plans= applies to discount codes only/],
      ['/promo new GOODCODE days 3 colour=red', /Unknown option "colour="/],
      ['/promo new GOODCODE days 3 maybe', /Unknown option "maybe"/],
      ['/promo off', /Usage: \/promo off <CODE>/],
      ['/promo frobnicate now', /Unknown \/promo command "frobnicate"/],
    ];
    for (const [command, answer] of cases)
      expect(lastText(await bot.say(admin, command)), command).toMatch(answer);
    expect(lastText(await bot.say(admin, '/promo NOPE123'))).toBe('No promo code NOPE123.');
    expect(lastText(await bot.say(admin, '/promo off NOPE123'))).toBe('No promo code NOPE123.');
    const after = await one<{ n: number }>('SELECT count(*)::int AS n FROM promo_codes', []);
    expect(after.n).toBe(before.n);
  });

  it('refuses a second code with the same name', async () => {
    const code = await newCode(`${uniqueCode('TWICE')} days 1`);
    expect(lastText(await bot.say(admin, `/promo new ${code.toLowerCase()} credit 5`))).toMatch(
      /exists already/,
    );
  });

  it('lists codes, shows redemptions and puts redemptions and discounted revenue in /stats', async () => {
    const code = await newCode(`${uniqueCode('STAT')} discount 10 uses=3`);
    const user = await started(50_000);
    await enter(user, code);
    const confirm = await bot.tap(user, 'pb:1m');
    await bot.tap(
      user,
      callbackData(confirm).find((d) => d.startsWith('pbok:'))!,
    );
    expect(lastText(await bot.say(admin, '/promo list'))).toContain(`🟢 ${code} — 10% off; uses 1/3`);
    const details = lastText(await bot.say(admin, `/promo ${code}`));
    expect(details).toContain(`${user.id} at`);
    expect(details).toContain('purchase paid');
    const stats = lastText(await bot.say(admin, '/stats'));
    expect(stats).toMatch(/Promo redemptions: \d+/);
    expect(stats).toMatch(/Discounted purchases, 30 days:\n {2}RUB: \d+\.\d{2} RUB \(\d+ purchases\)/);
  });

  it('answers a non-admin /promo like an unknown command', async () => {
    const user = await started();
    const reply = lastText(await bot.say(user, '/promo new FREE days 999'));
    expect(reply).not.toMatch(/Created|Usage/);
    const found = await one<{ n: number }>(
      "SELECT count(*)::int AS n FROM promo_codes WHERE code = 'FREE'",
      [],
    );
    expect(found.n).toBe(0);
  });
});
