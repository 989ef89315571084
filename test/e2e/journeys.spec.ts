import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CB } from '../../src/telegram/bot/views/callback-data';
import { Journey, textOf, type BotUser } from '../support/journey';
import { vlessGet } from '../support/v2ray-access';
import { v2rayAvailable } from '../support/v2ray-core';

const withCore = v2rayAvailable();
const VLESS = /vless:\/\/([0-9a-f-]{36})@/;

/**
 * Whole user journeys through the built app, in both transport modes: the fake Telegram carries the user's
 * taps, fake Crypto Pay takes payments, and keys are provisioned on the real v2fly core and used through it.
 */
describe.runIf(withCore).each(['polling', 'webhook'] as const)('user journeys (%s mode)', (mode) => {
  let j: Journey;
  let nextUser = mode === 'polling' ? 71_000 : 72_000;

  beforeAll(async () => {
    j = await Journey.start({
      mode,
      core: true,
      env: { JOB_INTERVALS: 'reminders=1000,expiry-sweep=1000' },
    });
  }, 120_000);
  afterAll(async () => {
    await j?.stop();
  });

  async function newUser(): Promise<BotUser> {
    const u = j.user(++nextUser);
    u.send('/start');
    await u.next((c) => c.method === 'sendMessage');
    return u;
  }

  /** Opens "My subscription" and returns the UUID of the vless:// link it shows. */
  async function linkUuid(u: BotUser): Promise<string> {
    u.press(CB.sub);
    const screen = await u.next((c) => VLESS.test(textOf(c)));
    return VLESS.exec(textOf(screen))![1];
  }

  async function tunnelWorks(uuid: string): Promise<boolean> {
    const r = await vlessGet({ vlessPort: j.core!.vlessPort, uuid, targetPort: j.target!.port });
    return r.accepted;
  }

  async function untilTrue(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function subscriptionOf(u: BotUser) {
    const [row] = await j.sql<{ vpn_uuid: string; expires_at: Date; status: string; is_trial: boolean }>(
      'SELECT vpn_uuid, expires_at, status, is_trial FROM subscriptions WHERE user_id = $1',
      [u.id],
    );
    return row;
  }

  it('start → free trial → "key ready" → the vless:// link opens a tunnel through the real core', async () => {
    const u = await newUser();
    u.press(CB.trial);
    await u.nextText(/key is ready/i);
    // The notice carries a "My subscription" button: one tap to the link.
    u.pressButton(/My subscription/);
    const screen = await u.next((c) => VLESS.test(textOf(c)));
    const uuid = VLESS.exec(textOf(screen))![1];
    expect(await tunnelWorks(uuid)).toBe(true);
    expect(await subscriptionOf(u)).toMatchObject({ vpn_uuid: uuid, is_trial: true, status: 'active' });
  });

  it('buys a plan with Crypto Pay after the trial: renewed, same key, still working', async () => {
    const u = await newUser();
    u.press(CB.trial);
    await u.nextText(/key is ready/i);
    const before = await subscriptionOf(u);

    u.press(CB.plans);
    await u.next((c) => c.method === 'editMessageText' || c.method === 'sendMessage');
    u.press(CB.payCrypto('1m'));
    await u.next((c) => /pay\.crypt|t\.me\/CryptoTestnetBot/.test(JSON.stringify(c.params)));
    await j.payLatestCryptoInvoice();
    await u.nextText(/renewed|payment received/i);

    const after = await subscriptionOf(u);
    expect(after.vpn_uuid).toBe(before.vpn_uuid);
    expect(after.expires_at.getTime() - before.expires_at.getTime()).toBeGreaterThanOrEqual(29 * 86_400_000);
    expect(await linkUuid(u)).toBe(before.vpn_uuid);
    expect(await tunnelWorks(before.vpn_uuid)).toBe(true);
  });

  it('tops up with Crypto Pay, then buys with the balance and gets a working key', async () => {
    const u = await newUser();
    u.press(CB.balance);
    await u.next((c) => c.method === 'editMessageText' || c.method === 'sendMessage');
    u.press(CB.topupCrypto(50_000));
    await u.next((c) => /pay\.crypt|t\.me\/CryptoTestnetBot/.test(JSON.stringify(c.params)));
    await j.payLatestCryptoInvoice();
    await u.nextText(/topped up/i);
    const [{ balance_minor: balance }] = await j.sql<{ balance_minor: string }>(
      'SELECT balance_minor FROM users WHERE id = $1',
      [u.id],
    );
    expect(Number(balance)).toBe(50_000);

    u.press(CB.payBalance('1m'));
    await u.next((c) =>
      /^pbok:/.test(JSON.stringify(c.params).match(/"callback_data":"([^"]+)"/)?.[1] ?? ''),
    );
    u.pressData(/^pbok:1m:/);
    await u.nextText(/key is ready/i, 30_000);
    const uuid = await linkUuid(u);
    expect(await tunnelWorks(uuid)).toBe(true);
    const ledger = await j.sql<{ sum: string }>(
      'SELECT COALESCE(SUM(delta_minor), 0) AS sum FROM balance_ledger WHERE user_id = $1',
      [u.id],
    );
    const [{ balance_minor: left }] = await j.sql<{ balance_minor: string }>(
      'SELECT balance_minor FROM users WHERE id = $1',
      [u.id],
    );
    expect(Number(ledger[0].sum)).toBe(Number(left));
    expect(Number(left)).toBe(50_000 - 19_900);
  });

  it('buys with Telegram Stars: pre-checkout approved, payment delivered twice is credited once', async () => {
    const u = await newUser();
    u.press(CB.payStars('1m'));
    const invoice = await u.next((c) => c.method === 'sendInvoice');
    const p = invoice.params as { payload: string; currency: string; prices: unknown };
    const prices = (typeof p.prices === 'string' ? JSON.parse(p.prices) : p.prices) as { amount: number }[];
    const total = prices.reduce((a, x) => a + x.amount, 0);
    expect(p.currency).toBe('XTR');

    j.tg.preCheckout(u.profile, { payload: p.payload, totalAmount: total });
    await untilTrue(async () =>
      j.tg.sent.some((c) => c.method === 'answerPreCheckoutQuery' && String(c.params.ok) === 'true'),
    );
    const charge = `stars-charge-${u.id}`;
    j.tg.successfulPayment(u.profile, { payload: p.payload, totalAmount: total, chargeId: charge });
    j.tg.successfulPayment(u.profile, { payload: p.payload, totalAmount: total, chargeId: charge });
    await u.nextText(/key is ready/i, 30_000);
    expect(await tunnelWorks(await linkUuid(u))).toBe(true);

    const paid = await j.sql<{ n: string }>(
      "SELECT count(*) AS n FROM purchases WHERE user_id = $1 AND status = 'paid'",
      [u.id],
    );
    expect(Number(paid[0].n)).toBe(1);
    const received = u.inbox.filter((c) => /payment received/i.test(textOf(c)));
    expect(received).toHaveLength(1);
  });

  it('reminds once before the trial ends, however often the reminder job runs', async () => {
    const u = await newUser();
    u.press(CB.trial);
    await u.nextText(/key is ready/i);
    await j.sql("UPDATE subscriptions SET expires_at = now() + interval '30 minutes' WHERE user_id = $1", [
      u.id,
    ]);
    await u.nextText(/trial ends/i);
    // Several more reminder passes (JOB_INTERVALS=reminders=1000): nothing repeats.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(u.inbox.filter((c) => /trial ends/i.test(textOf(c)))).toHaveLength(1);
  });

  it('takes the key away when the subscription expires: notified once, tunnel refused', async () => {
    const u = await newUser();
    u.press(CB.trial);
    await u.nextText(/key is ready/i);
    const uuid = await linkUuid(u);
    expect(await tunnelWorks(uuid)).toBe(true);
    await j.sql("UPDATE subscriptions SET expires_at = now() - interval '1 minute' WHERE user_id = $1", [
      u.id,
    ]);
    await u.nextText(/has ended/i);
    await untilTrue(async () => !(await tunnelWorks(uuid)));
    expect(await subscriptionOf(u)).toMatchObject({ status: 'expired' });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(u.inbox.filter((c) => /has ended/i.test(textOf(c)))).toHaveLength(1);
  });
});
