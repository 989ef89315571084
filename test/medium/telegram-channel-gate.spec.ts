import { HealthIndicatorService } from '@nestjs/terminus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { SignalRegistry } from '../../src/signals/signal-registry';
import { ChannelGateIndicator } from '../../src/watchdog/channel-gate.indicator';
import { CapturedLogger } from '../support/captured-logger';
import { answersOf, BotHarness, buttonsOf, callbackData, lastText } from './telegram-ux-harness';

const CHANNEL = { id: -1001234567890, username: 'vpn_news', title: 'VPN news', botIsAdmin: true };

const trialOf = async (bot: BotHarness, user: FakeUser) =>
  (
    await bot.query<{ is_trial: boolean }>('SELECT is_trial FROM subscriptions WHERE user_id = $1', [user.id])
  )[0];
const readiness = (bot: BotHarness) =>
  new ChannelGateIndicator(new HealthIndicatorService(), bot.app.get(SignalRegistry)).check().requiredChannel;

describe('trial gated on a channel the bot administers', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { REQUIRED_CHANNEL: '@vpn_news' }, channels: [CHANNEL] });
    await bot.until(() => readiness(bot).state === 'ok');
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('gives a member of the channel the trial', async () => {
    const user = bot.newUser();
    bot.telegram.chats.join('@vpn_news', user.id);
    await bot.say(user, '/start');
    expect(lastText(await bot.tap(user, 'trial'))).toMatch(/Your free trial is active until/);
    expect((await trialOf(bot, user))?.is_trial).toBe(true);
  });

  it('shows a non-member Join and Check again instead of the trial, and gives nothing', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    const calls = await bot.tap(user, 'trial');
    expect(lastText(calls)).toBe(
      '🎁 The free trial is for members of our channel @vpn_news.\nJoin it, then tap "Check again".',
    );
    expect(buttonsOf(calls)[0]).toEqual({ text: '📢 Join the channel', url: 'https://t.me/vpn_news' });
    expect(callbackData(calls)).toEqual(['trial:check', 'menu']);
    expect(await trialOf(bot, user)).toBeUndefined();
  });

  it('gives the trial on Check again once the user joined, asking Telegram again past the cache', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    const asked = () => bot.telegram.chats.calls.filter((c) => c.userId === user.id).length;
    expect(asked()).toBe(1);
    // A second press within the cache time is answered from the cache.
    await bot.tap(user, 'trial');
    expect(asked()).toBe(1);
    const still = await bot.tap(user, 'trial:check');
    expect(answersOf(still)[0].params.text).toBe(
      'You are not in the channel yet. Join it, then tap "Check again".',
    );
    expect(await trialOf(bot, user)).toBeUndefined();

    bot.telegram.chats.join('@vpn_news', user.id);
    const joined = await bot.tap(user, 'trial:check');
    expect(asked()).toBe(3);
    expect(lastText(joined)).toMatch(/Your free trial is active until/);
    expect((await trialOf(bot, user))?.is_trial).toBe(true);
  });

  it('tells a user who had the trial so, without asking about the channel', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id, trialUsedAt: new Date() });
    expect(lastText(await bot.tap(user, 'trial'))).toBe(
      'You have already used your free trial. Choose a plan to continue.',
    );
    expect(bot.telegram.chats.calls.filter((c) => c.userId === user.id)).toEqual([]);
  });
});

describe('trial gated on a channel the bot is not an admin of', () => {
  let bot: BotHarness;
  const logs = new CapturedLogger();
  beforeAll(async () => {
    bot = await BotHarness.start({
      env: { REQUIRED_CHANNEL: '@vpn_news' },
      channels: [{ ...CHANNEL, botIsAdmin: false }],
      logger: logs,
    });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('reports it at start in the log and in the readiness details, and stays up', async () => {
    await bot.until(() => readiness(bot).state === 'not_admin');
    expect(readiness(bot)).toMatchObject({
      status: 'up',
      channel: '@vpn_news',
      state: 'not_admin',
      error: expect.stringMatching(/chat not found/),
    });
    expect(logs.matching(/REQUIRED_CHANNEL @vpn_news: membership cannot be checked/)).toHaveLength(1);
    const user = bot.newUser();
    expect(lastText(await bot.say(user, '/start'))).toMatch(/Welcome/);
  });

  it('answers a trial request with "cannot check now" and gives nothing, then gives it once the bot is admin', async () => {
    const user = bot.newUser();
    bot.telegram.chats.join('@vpn_news', user.id);
    const calls = await bot.tap(user, 'trial');
    expect(lastText(calls)).toBe(
      '⚠️ Channel membership cannot be checked right now. Please try again later.',
    );
    expect(callbackData(calls)).toEqual(['trial:check', 'menu']);
    expect(await trialOf(bot, user)).toBeUndefined();
    const failed = await bot.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM telegram_updates WHERE state = 'failed'",
    );
    expect(failed[0].n).toBe(0);

    bot.telegram.chats.setBotAdmin('@vpn_news', true);
    expect(lastText(await bot.tap(user, 'trial:check'))).toMatch(/Your free trial is active until/);
    expect(readiness(bot).state).toBe('ok');
  });
});
