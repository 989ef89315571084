import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser, SentCall } from '../../src/demo/fake-telegram';
import { CB } from '../../src/telegram/bot/views/callback-data';
import { answersOf, BotHarness, textsOf } from './telegram-ux-harness';

let bot: BotHarness;
const ADMIN_ID = 491_000_001;
const GROUP = -100_200_300_400;
const DEEP_LINK = 'https://t.me/fake_vpn_bot';

beforeAll(async () => {
  bot = await BotHarness.start({ env: { TOPUP_AMOUNTS: '100,300', ADMIN_IDS: String(ADMIN_ID) } });
});
afterAll(async () => {
  await bot?.stop();
});

const inGroup = (user: FakeUser, text: string) =>
  bot.handled(() => bot.telegram.groupMessage(user, GROUP, text));
const posts = (calls: SentCall[]) => calls.filter((c) => c.method !== 'answerCallbackQuery');

/** A user who uses the bot privately: a balance and a subscription a group must never see. */
async function customer(): Promise<FakeUser> {
  const user = bot.newUser({ firstName: 'Zed' });
  await bot.say(user, '/start');
  await bot.query('UPDATE users SET balance_minor = 12345 WHERE id = $1', [user.id]);
  return user;
}

function onlyTheDeepLink(calls: SentCall[]): void {
  expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
  expect(Number(calls[0].params.chat_id)).toBe(GROUP);
  expect(String(calls[0].params.text)).toContain(DEEP_LINK);
  expect(calls[0].params.reply_markup).toBeUndefined();
}

describe('the bot in a group chat', () => {
  it('answers a number typed in a supergroup with nothing: no top-up screen, no purchase', async () => {
    const user = await customer();
    const calls = await inGroup(user, '300');
    expect(calls).toEqual([]);
    expect(await bot.query('SELECT 1 FROM purchases WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('answers /start in a group with only the private-chat deep link, never the balance', async () => {
    const user = await customer();
    const calls = await inGroup(user, '/start');
    onlyTheDeepLink(calls);
    expect(textsOf(calls).join('\n')).not.toMatch(/123[.,]?45|Zed/);
  });

  it('does not start a trial from a group: /trial gets the deep link and no subscription exists', async () => {
    const user = await customer();
    const calls = await inGroup(user, '/trial@fake_vpn_bot');
    onlyTheDeepLink(calls);
    expect(await bot.query('SELECT 1 FROM subscriptions WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('stays silent on a command addressed to another bot', async () => {
    const user = await customer();
    expect(await inGroup(user, '/start@other_bot')).toEqual([]);
  });

  it('answers a button pressed on a group message with a toast only, posting nothing', async () => {
    const user = await customer();
    const calls = await bot.handled(() => bot.telegram.pressGroupButton(user, GROUP, CB.menu));
    expect(posts(calls)).toEqual([]);
    const toasts = answersOf(calls);
    expect(toasts).toHaveLength(1);
    expect(String(toasts[0].params.text)).toMatch(/private chat/);
  });

  it('answers an admin command in a group with the deep link only, never the statistics', async () => {
    const admin = bot.newUser({ id: ADMIN_ID });
    await bot.say(admin, '/start');
    const calls = await inGroup(admin, '/stats');
    onlyTheDeepLink(calls);
    expect(await inGroup(admin, '/find 12345')).toHaveLength(1);
  });

  it('still serves the same user in the private chat', async () => {
    const user = await customer();
    const calls = await bot.say(user, '/start');
    expect(textsOf(calls).join('\n')).toMatch(/Zed/);
  });
});
