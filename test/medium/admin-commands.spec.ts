import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { AdminService } from '../../src/admin/admin.service';
import { PurchasesService } from '../../src/payments/purchases.service';
import { StarsService } from '../../src/payments/providers/stars/stars.service';
import { startCoreApp, type CoreApp } from '../support/factories';
import { FakeTelegram, type SentCall } from '../../src/demo/fake-telegram';
import { testEnv } from '../support/test-env';
import { accessRestricted } from '../../src/telegram/bot/views/menu.view';

const DAY_MS = 86_400_000;
const BOT_TOKEN = testEnv().BOT_TOKEN!;
const admin = { id: 900_001, username: 'boss' };
const stranger = { id: 900_002, username: 'curious' };
let telegram: FakeTelegram;
let core: CoreApp;

beforeAll(async () => {
  telegram = await new FakeTelegram({ token: BOT_TOKEN }).start();
  core = await startCoreApp({
    imports: [TelegramModule],
    env: {
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_POLL_TIMEOUT_S: '1',
      TELEGRAM_POLL_MARGIN_MS: '1000',
      TELEGRAM_CHAT_MIN_INTERVAL_MS: '0',
      ADMIN_IDS: `${admin.id},900009`,
    },
  });
});
afterAll(async () => {
  await core?.close();
  await telegram?.stop();
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends a message as `user` and returns the bot's next call to that chat (a reply or an edit). */
async function say(user: { id: number }, text: string, method = 'sendMessage'): Promise<SentCall> {
  const before = telegram.sentTo(user.id, method).length;
  telegram.userMessage(user, text);
  return until(() => telegram.sentTo(user.id, method)[before]);
}
async function press(user: { id: number }, data: string, messageId = 1): Promise<void> {
  const before = telegram.sent.filter((c) => c.method === 'answerCallbackQuery').length;
  telegram.pressButton(user, data, messageId);
  await until(() => telegram.sent.filter((c) => c.method === 'answerCallbackQuery').length > before);
}
const textOf = (c: SentCall) => String(c.params.text);
const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  core.ds.query(sql, params) as Promise<T[]>;
const uniqueName = () => `u_${randomBytes(4).toString('hex')}`;

describe('admin access', () => {
  it('answers a non-admin every admin command and button exactly like an unknown one, revealing nothing', async () => {
    await say(stranger, '/start'); // first contact greets differently: compare answers of a known user
    const unknown = await say(stranger, '/nosuchcommand');
    expect(String(unknown.params.text)).not.toBe('');
    for (const cmd of [
      '/admin',
      '/stats',
      `/find ${admin.id}`,
      `/grant ${stranger.id} 30`,
      '/failed',
      '/broadcast all hi',
    ]) {
      const reply = await say(stranger, cmd);
      expect({ text: reply.params.text, markup: reply.params.reply_markup }, cmd).toEqual({
        text: unknown.params.text,
        markup: unknown.params.reply_markup,
      });
    }
    const answers = () => telegram.sent.filter((c) => c.method === 'answerCallbackQuery');
    const before = answers().length;
    await press(stranger, 'zz:no-such-button');
    await press(stranger, 'adm:stats');
    const [stale, adminButton] = answers().slice(before);
    expect(adminButton.params.text).toBe(stale.params.text);
    expect(await q(`SELECT 1 FROM subscriptions WHERE user_id = $1`, [stranger.id])).toEqual([]);
    expect(await q(`SELECT 1 FROM broadcasts`)).toEqual([]);
  });

  it('shows the admin menu with adm: buttons to an admin', async () => {
    const reply = await say(admin, '/admin');
    expect(textOf(reply)).toContain('/grant <id> <days>');
    const buttons = (
      reply.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }
    ).inline_keyboard
      .flat()
      .map((b) => b.callback_data);
    expect(buttons.length).toBeGreaterThan(0);
    for (const data of buttons) expect(data).toMatch(/^adm:/);
  });
});

describe('admin stats', () => {
  it('counts users, active subscriptions and trials, revenue per currency, backlog and failures', async () => {
    const service = core.get(AdminService);
    const before = await service.stats();
    const f = core.factory;
    const paid = await f.subscription();
    await f.subscription({ isTrial: true, lastGrantSource: 'trial' });
    await f.subscription({ expiresAt: new Date(Date.now() - DAY_MS) }); // lapsed, not swept yet
    await f.user();
    const buyer = (await f.user()).id;
    const paidNow = { status: 'paid' as const, paidAt: new Date(), userId: buyer };
    await f.purchase({ ...paidNow, provider: 'stars', currency: 'XTR', amountMinor: 150 });
    await f.purchase({
      ...paidNow,
      provider: 'crypto_pay',
      currency: 'USD',
      amountMinor: 249,
      paidAt: new Date(Date.now() - 10 * DAY_MS),
    });
    await f.purchase({ ...paidNow, provider: 'balance', currency: 'RUB', amountMinor: 19_900 });
    await f.purchase({ ...paidNow, provider: 'crypto_pay', paidAt: new Date(Date.now() - 40 * DAY_MS) });
    await f.purchase({
      ...paidNow,
      provider: 'stars',
      currency: 'XTR',
      amountMinor: 400,
      status: 'refunded',
    });
    await q(
      `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, state)
       VALUES ($1, $2, 'provision', $3, $4, 'pending'), ($1, $2, 'provision', $3, $4, 'failed')`,
      [paid.id, paid.userId, paid.vpnUuid, paid.vpnEmail],
    );

    const after = await service.stats();
    expect(after.users - before.users).toBe(5);
    expect(after.activeSubscriptions - before.activeSubscriptions).toBe(1);
    expect(after.activeTrials - before.activeTrials).toBe(1);
    expect(after.provisioningBacklog - before.provisioningBacklog).toBe(1);
    expect(after.failedOperations - before.failedOperations).toBe(1);
    const rev = (s: typeof after, cur: string) =>
      s.revenue.find((r) => r.currency === cur) ?? { todayMinor: 0, last30DaysMinor: 0, purchases30Days: 0 };
    expect(rev(after, 'XTR').todayMinor - rev(before, 'XTR').todayMinor).toBe(150);
    expect(rev(after, 'XTR').last30DaysMinor - rev(before, 'XTR').last30DaysMinor).toBe(150);
    expect(rev(after, 'USD').todayMinor - rev(before, 'USD').todayMinor).toBe(0);
    expect(rev(after, 'USD').last30DaysMinor - rev(before, 'USD').last30DaysMinor).toBe(249);
    expect(rev(after, 'RUB').last30DaysMinor - rev(before, 'RUB').last30DaysMinor).toBe(0);

    const text = textOf(await say(admin, '/stats'));
    expect(text).toContain(`Users: ${after.users}`);
    expect(text).toContain(`Active subscriptions: ${after.activeSubscriptions}`);
    expect(text).toContain(`Active trials: ${after.activeTrials}`);
    expect(text).toContain(`XTR: today ${rev(after, 'XTR').todayMinor} ⭐`);
    expect(text).toContain(`Provisioning backlog: ${after.provisioningBacklog}`);
    expect(text).toContain(`Failed operations: ${after.failedOperations}`);
  });
});

describe('admin find', () => {
  it('shows a seeded user by @username and by id: profile, balance, subscription, referrer, invited, purchases', async () => {
    const f = core.factory;
    const referrer = await f.user({ username: uniqueName() });
    const name = uniqueName();
    const user = await f.user({
      username: name,
      referrerId: referrer.id,
      balanceMinor: 12_345,
      languageCode: 'ru',
    });
    await f.user({ referrerId: user.id });
    await f.user({ referrerId: user.id });
    const sub = await f.subscription({ userId: user.id });
    const purchase = await f.purchase({ userId: user.id, status: 'paid', paidAt: new Date() });

    for (const ref of [`@${name.toUpperCase()}`, String(user.id)]) {
      const text = textOf(await say(admin, `/find ${ref}`));
      expect(text).toContain(`User ${user.id} (@${name})`);
      expect(text).toContain('Language: ru');
      expect(text).toContain('Balance: 123.45 RUB');
      expect(text).toContain(
        `Subscription: active, until ${sub.expiresAt.toISOString().slice(0, 16).replace('T', ' ')}`,
      );
      expect(text).toContain(`Referrer: ${referrer.id} (@${referrer.username})`);
      expect(text).toContain('Invited: 2');
      expect(text).toContain(purchase.id);
      expect(text).toContain('Blocked by admin: no');
    }
    expect(textOf(await say(admin, '/find @nobody_here_at_all'))).toBe('No user @nobody_here_at_all.');
  });
});

describe('admin grant', () => {
  it('extends an existing subscription by the days and keeps its UUID and token', async () => {
    const sub = await core.factory.subscription();
    const text = textOf(await say(admin, `/grant ${sub.userId} 10`));
    expect(text).toContain('The key stays the same');
    const [row] = await q<{
      vpn_uuid: string;
      sub_token: string;
      expires_at: Date;
      last_grant_source: string;
    }>(`SELECT vpn_uuid, sub_token, expires_at, last_grant_source FROM subscriptions WHERE user_id = $1`, [
      sub.userId,
    ]);
    expect(row.vpn_uuid).toBe(sub.vpnUuid);
    expect(row.sub_token).toBe(sub.subToken);
    expect(row.last_grant_source).toBe('admin');
    expect(row.expires_at.getTime() - sub.expiresAt.getTime()).toBe(10 * DAY_MS);
  });

  it('issues a fresh key to a user without a subscription and queues its provisioning', async () => {
    const user = await core.factory.user();
    const text = textOf(await say(admin, `/grant ${user.id} 7`));
    expect(text).toContain('A new key was issued');
    const [row] = await q<{ id: string; vpn_uuid: string }>(
      `SELECT id, vpn_uuid FROM subscriptions WHERE user_id = $1`,
      [user.id],
    );
    const ops = await q(`SELECT kind, vpn_uuid FROM vpn_operations WHERE subscription_id = $1`, [row.id]);
    expect(ops).toEqual([{ kind: 'provision', vpn_uuid: row.vpn_uuid }]);
  });

  it('answers bad arguments with the usage line and writes nothing', async () => {
    const sub = await core.factory.subscription();
    const snapshot = () =>
      q(
        `SELECT (SELECT count(*) FROM subscription_grants) AS grants, (SELECT count(*) FROM subscriptions) AS subs,
                (SELECT count(*) FROM vpn_operations) AS ops, (SELECT count(*) FROM users WHERE is_banned) AS banned,
                (SELECT expires_at FROM subscriptions WHERE id = $1) AS expiry`,
        [sub.id],
      );
    const before = await snapshot();
    const usage: [string, RegExp][] = [
      [`/grant ${sub.userId} ten`, /^Usage: \/grant/],
      [`/grant ${sub.userId} -5`, /^Usage: \/grant/],
      [`/grant ${sub.userId} 0`, /^Usage: \/grant/],
      [`/grant ${sub.userId} 1.5`, /^Usage: \/grant/],
      [`/grant ${sub.userId}`, /^Usage: \/grant/],
      ['/grant @someone 5', /^Usage: \/grant/],
      ['/grant 123456789012 5', /^No user 123456789012\.$/],
      ['/block someone', /^Usage: \/block/],
      ['/unblock', /^Usage: \/unblock/],
      ['/block 123456789012', /^No user/],
      ['/find', /^Usage: \/find/],
      ['/find bob', /^Usage: \/find/],
      ['/retry', /^Usage: \/retry/],
      ['/retry soon', /^Usage: \/retry/],
      ['/refund 42', /^Usage: \/refund/],
      ['/broadcast everyone hello', /^Usage: \/broadcast/],
      ['/broadcast all', /^Usage: \/broadcast/],
    ];
    for (const [cmd, expected] of usage) expect(textOf(await say(admin, cmd)), cmd).toMatch(expected);
    expect(await snapshot()).toEqual(before);
    expect(await q(`SELECT 1 FROM broadcasts`)).toEqual([]);
  });
});

describe('admin block', () => {
  it('blocks and unblocks a user with the admin flag, distinct from "blocked the bot", and never an admin', async () => {
    const user = await core.factory.user();
    expect(textOf(await say(admin, `/block ${user.id}`))).toContain(`User ${user.id} is blocked`);
    expect(await q(`SELECT is_banned, blocked_at FROM users WHERE id = $1`, [user.id])).toEqual([
      { is_banned: true, blocked_at: null },
    ]);
    // A blocked user gets "access restricted" and nothing else, for admin commands as for anything else.
    for (const text of ['/stats', '/start']) {
      const replies = telegram.sentTo(user.id).length;
      expect(textOf(await say({ id: user.id }, text)), text).toBe(accessRestricted.en);
      await new Promise((r) => setTimeout(r, 100));
      expect(telegram.sentTo(user.id)).toHaveLength(replies + 1);
    }
    expect(textOf(await say(admin, `/block ${user.id}`))).toContain('already blocked');
    expect(textOf(await say(admin, `/unblock ${user.id}`))).toContain(`User ${user.id} is unblocked`);
    expect((await q(`SELECT is_banned FROM users WHERE id = $1`, [user.id]))[0]).toEqual({
      is_banned: false,
    });
    await core.factory.user({ id: 900_009 });
    expect(textOf(await say(admin, '/block 900009'))).toBe('Admins cannot be blocked.');
  });
});

describe('admin failed provisioning', () => {
  it('lists failed operations with retry buttons and requeues one, then all', async () => {
    const subs = [await core.factory.subscription(), await core.factory.subscription()];
    const ids: string[] = [];
    for (const s of subs) {
      const [op] = await q<{ id: string }>(
        `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, state, attempts, last_error)
         VALUES ($1, $2, 'provision', $3, $4, 'failed', 12, 'core unavailable: UNAVAILABLE') RETURNING id`,
        [s.id, s.userId, s.vpnUuid, s.vpnEmail],
      );
      ids.push(String(op.id));
    }
    const list = await say(admin, '/failed');
    for (const id of ids) expect(textOf(list)).toContain(`#${id} provision`);
    expect(textOf(list)).toContain('core unavailable');
    const buttons = (
      list.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }
    ).inline_keyboard
      .flat()
      .map((b) => b.callback_data);
    expect(buttons).toContain(`adm:retry:${ids[0]}`);
    expect(buttons).toContain('adm:retry:all');

    const stateOf = async (id: string) =>
      (
        await q<{ state: string; attempts: number }>(
          `SELECT state, attempts FROM vpn_operations WHERE id = $1`,
          [id],
        )
      )[0];
    const replies = telegram.sentTo(admin.id, 'sendMessage').length;
    await press(admin, `adm:retry:${ids[0]}`);
    expect(textOf(await until(() => telegram.sentTo(admin.id, 'sendMessage')[replies]))).toBe(
      `🔁 Requeued: #${ids[0]} on default.`,
    );
    expect(await stateOf(ids[0])).toEqual({ state: 'pending', attempts: 0 });
    expect((await stateOf(ids[1])).state).toBe('failed');

    const reply = await say(admin, '/retry all');
    expect(textOf(reply)).toContain(`#${ids[1]}`);
    expect((await stateOf(ids[1])).state).toBe('pending');
    expect(textOf(await say(admin, '/failed'))).not.toContain(`#${ids[1]} `);
  });
});

describe('admin refund', () => {
  const subscriptionOf = async (userId: number) =>
    (
      await q<{ status: string; expires_at: Date }>(
        `SELECT status, expires_at FROM subscriptions WHERE user_id = $1`,
        [userId],
      )
    )[0];

  it('refunds a Stars purchase only after confirmation: Telegram returns the Stars and the access is taken back', async () => {
    const stars = core.get(StarsService);
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const charge = `stxr_${randomBytes(8).toString('hex')}`;
    await stars.onSuccessfulPayment({
      from: { id: user.id },
      successful_payment: {
        currency: 'XTR',
        total_amount: purchase.amountMinor,
        invoice_payload: purchase.id,
        telegram_payment_charge_id: charge,
      },
    });
    expect((await subscriptionOf(user.id)).status).toBe('active');

    const confirm = await say(admin, `/refund ${purchase.id}`);
    expect(textOf(confirm)).toContain(`Refund purchase ${purchase.id}?`);
    const buttons = (
      confirm.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }
    ).inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual([`adm:rf:ok:${purchase.id}`, 'adm:rf:no']);
    // Nothing happens before the button.
    expect((await q(`SELECT status FROM purchases WHERE id = $1`, [purchase.id]))[0]).toEqual({
      status: 'paid',
    });
    expect(telegram.sent.filter((c) => c.method === 'refundStarPayment')).toHaveLength(0);

    const edits = telegram.sentTo(admin.id, 'editMessageText').length;
    await press(admin, `adm:rf:ok:${purchase.id}`, 77);
    const result = await until(() => telegram.sentTo(admin.id, 'editMessageText')[edits]);
    expect(textOf(result)).toContain(`Purchase ${purchase.id} refunded. Stars returned: yes`);
    expect(result.params.message_id).toBe(77);
    expect(telegram.sent.filter((c) => c.method === 'refundStarPayment').map((c) => c.params)).toEqual([
      { user_id: user.id, telegram_payment_charge_id: charge },
    ]);
    expect((await q(`SELECT status FROM purchases WHERE id = $1`, [purchase.id]))[0]).toEqual({
      status: 'refunded',
    });
    expect((await subscriptionOf(user.id)).status).not.toBe('active');

    // A second press changes nothing and says so.
    await press(admin, `adm:rf:ok:${purchase.id}`, 77);
    const again = await until(() => telegram.sentTo(admin.id, 'editMessageText')[edits + 1]);
    expect(textOf(again)).toContain('refunded already');
    expect(telegram.sent.filter((c) => c.method === 'refundStarPayment')).toHaveLength(1);
  });

  it('finishes a Stars refund Telegram failed the first time when the admin refunds again', async () => {
    const stars = core.get(StarsService);
    const user = await core.factory.user();
    const { purchase } = await stars.checkout({ kind: 'subscription', userId: user.id, planCode: '1m' });
    const charge = `stxr_${randomBytes(8).toString('hex')}`;
    await stars.onSuccessfulPayment({
      from: { id: user.id },
      successful_payment: {
        currency: 'XTR',
        total_amount: purchase.amountMinor,
        invoice_payload: purchase.id,
        telegram_payment_charge_id: charge,
      },
    });
    const refundCalls = () => telegram.sent.filter((c) => c.method === 'refundStarPayment').length;
    const before = refundCalls();
    telegram.fault('refundStarPayment', { kind: 'status', code: 500 }, 3);
    await expect(stars.refund(purchase.id)).rejects.toThrow();
    expect((await q(`SELECT status FROM purchases WHERE id = $1`, [purchase.id]))[0]).toEqual({
      status: 'refunded',
    });
    telegram.clearFaults();

    const confirm = await say(admin, `/refund ${purchase.id}`);
    expect(textOf(confirm)).toContain(`Refund purchase ${purchase.id}?`);
    const edits = telegram.sentTo(admin.id, 'editMessageText').length;
    await press(admin, `adm:rf:ok:${purchase.id}`, 78);
    const result = await until(() => telegram.sentTo(admin.id, 'editMessageText')[edits]);
    expect(textOf(result)).toContain('Stars returned: yes');
    expect(
      telegram.sent
        .filter((c) => c.method === 'refundStarPayment')
        .map((c) => c.params)
        .at(-1),
    ).toEqual({
      user_id: user.id,
      telegram_payment_charge_id: charge,
    });
    const calls = refundCalls();
    expect(calls).toBeGreaterThan(before);

    // Now that Telegram confirmed it, asking again does not call Telegram again.
    await press(admin, `adm:rf:ok:${purchase.id}`, 78);
    await until(() => telegram.sentTo(admin.id, 'editMessageText')[edits + 1]);
    expect(refundCalls()).toBe(calls);
  });

  it('refunds a balance purchase to the balance and shortens the access it paid for', async () => {
    const user = await core.factory.user({ balanceMinor: 50_000 });
    const result = await core.get(PurchasesService).payFromBalance({ userId: user.id, planCode: '1m' });
    const purchaseId = result.purchase.id;
    const balance = async () =>
      Number(
        (await q<{ balance_minor: string }>(`SELECT balance_minor FROM users WHERE id = $1`, [user.id]))[0]
          .balance_minor,
      );
    expect(await balance()).toBe(50_000 - 19_900);

    await say(admin, `/refund ${purchaseId}`);
    const edits = telegram.sentTo(admin.id, 'editMessageText').length;
    await press(admin, `adm:rf:ok:${purchaseId}`);
    const done = await until(() => telegram.sentTo(admin.id, 'editMessageText')[edits]);
    expect(textOf(done)).toContain('Balance now 500.00 RUB');
    expect(await balance()).toBe(50_000);
    expect((await subscriptionOf(user.id)).status).not.toBe('active');
  });

  it('refuses purchases it cannot refund here, and the cancel button changes nothing', async () => {
    const pending = await core.factory.purchase();
    expect(textOf(await say(admin, `/refund ${pending.id}`))).toContain('is pending');
    const crypto = await core.factory.purchase({ status: 'paid', paidAt: new Date() });
    expect(textOf(await say(admin, `/refund ${crypto.id}`))).toContain('refund it at the provider');
    const edits = telegram.sentTo(admin.id, 'editMessageText').length;
    await press(admin, 'adm:rf:no');
    expect(textOf(await until(() => telegram.sentTo(admin.id, 'editMessageText')[edits]))).toContain(
      'nothing changed',
    );
    expect((await q(`SELECT status FROM purchases WHERE id = $1`, [crypto.id]))[0]).toEqual({
      status: 'paid',
    });
  });
});
