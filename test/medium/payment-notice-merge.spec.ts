import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { BotHarness, callbackData } from './telegram-ux-harness';

// Jobs run by hand here: the key is ready when the test runs provisioning, not before.
const WAIT_MS = 400;

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({ env: { PAYMENT_NOTICE_KEY_WAIT_MS: String(WAIT_MS) } });
});
afterAll(async () => {
  await bot?.stop();
});

const messages = (user: FakeUser) =>
  bot.telegram.sentTo(user.id, 'sendMessage').map((c) => String(c.params.text));

async function buyFromBalance(): Promise<FakeUser> {
  const user = bot.newUser();
  await bot.factory.user({ id: user.id, balanceMinor: 50_000, languageCode: 'en' });
  const pay = callbackData(await bot.tap(user, 'pb:1m')).find((d) => d.startsWith('pbok:1m:'))!;
  await bot.tap(user, pay);
  return user;
}

const noticeStates = (userId: number) =>
  bot.query<{ kind: string; state: string; merged: boolean; sent: boolean }>(
    `SELECT kind, state, merged_into IS NOT NULL AS merged, sent_at IS NOT NULL AS sent
       FROM notifications WHERE user_id = $1 ORDER BY id`,
    [userId],
  );

describe('"payment received" and a new key in one message', () => {
  it('sends the payment notice inside the key message when the key is ready within the wait', async () => {
    const user = await buyFromBalance();
    await bot.runJob('notifications-delivery');
    // Still waiting for the key: nothing sent yet.
    expect(messages(user).filter((t) => /Payment received/.test(t))).toEqual([]);
    await bot.runJob('vpn-provisioning');
    await bot.runJob('notifications-delivery');
    const texts = messages(user).filter((t) => /Payment received|key is ready/.test(t));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^✅ Payment received: .+\n\n🔑 Your VPN key is ready/s);
    expect(texts[0]).toContain('<code>vless://');
    expect(await noticeStates(user.id)).toEqual([
      { kind: 'payment_received', state: 'merged', merged: true, sent: true },
      { kind: 'key_ready', state: 'sent', merged: false, sent: true },
    ]);
  });

  it('sends the payment notice alone after the wait when the key is late, and the key later without it', async () => {
    const user = await buyFromBalance();
    await new Promise((r) => setTimeout(r, WAIT_MS + 100));
    await bot.runJob('notifications-delivery');
    expect(messages(user).filter((t) => /Payment received/.test(t))).toHaveLength(1);
    expect(messages(user).some((t) => /key is ready/.test(t))).toBe(false);
    await bot.runJob('vpn-provisioning');
    await bot.runJob('notifications-delivery');
    const key = messages(user).filter((t) => /key is ready/.test(t));
    expect(key).toHaveLength(1);
    expect(key[0]).not.toMatch(/Payment received/);
    expect(messages(user).filter((t) => /Payment received/.test(t))).toHaveLength(1);
    expect((await noticeStates(user.id)).map((n) => n.state)).toEqual(['sent', 'sent']);
  });

  it('carries the payment notice again when the key message is retried after a failed send, telling it once', async () => {
    const user = await buyFromBalance();
    await bot.runJob('vpn-provisioning');
    bot.telegram.fault('sendMessage', { kind: 'status', code: 502 }, 1);
    await bot.runJob('notifications-delivery');
    expect(messages(user).filter((t) => /Payment received|key is ready/.test(t))).toEqual([]);
    expect(await noticeStates(user.id)).toEqual([
      { kind: 'payment_received', state: 'merged', merged: true, sent: false },
      { kind: 'key_ready', state: 'pending', merged: false, sent: false },
    ]);
    // The retry's backoff, skipped.
    await bot.query(`UPDATE notifications SET next_attempt_at = now() WHERE user_id = $1`, [user.id]);
    await bot.runJob('notifications-delivery');
    const texts = messages(user).filter((t) => /Payment received|key is ready/.test(t));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/Payment received[\s\S]+key is ready/);
    expect((await noticeStates(user.id)).map((n) => [n.state, n.sent])).toEqual([
      ['merged', true],
      ['sent', true],
    ]);
  });

  it('sends the payment notice on its own when Telegram refuses the key message for good', async () => {
    const user = await buyFromBalance();
    await bot.runJob('vpn-provisioning');
    bot.telegram.fault('sendMessage', { kind: 'status', code: 400, description: 'Bad Request: test' }, 1);
    await bot.runJob('notifications-delivery');
    expect((await noticeStates(user.id)).map((n) => [n.kind, n.state])).toEqual([
      ['payment_received', 'pending'],
      ['key_ready', 'failed'],
    ]);
    await bot.runJob('notifications-delivery');
    const paid = messages(user).filter((t) => /Payment received/.test(t));
    expect(paid).toHaveLength(1);
    expect(paid[0]).not.toMatch(/key is ready/);
    expect((await noticeStates(user.id)).map((n) => n.state)).toEqual(['sent', 'failed']);
  });

  it('does not hold a renewal notice: the key it extends is already there', async () => {
    const user = await buyFromBalance();
    await bot.runJob('vpn-provisioning');
    await bot.runJob('notifications-delivery');
    const before = messages(user).length;
    const pay = callbackData(await bot.tap(user, 'pb:1m')).find((d) => d.startsWith('pbok:1m:'))!;
    await bot.tap(user, pay);
    await bot.runJob('notifications-delivery');
    const after = messages(user).slice(before);
    expect(after.filter((t) => /renewed|extended/i.test(t))).toHaveLength(1);
    expect(after.some((t) => /key is ready/.test(t))).toBe(false);
  });
});
