import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { deviceKey } from '../../src/vpn/devices/devices.service';
import { answersOf, BotHarness, callbackData, lastText } from './telegram-ux-harness';

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({
    listen: true,
    env: {
      PLANS: JSON.stringify([{ code: '1m', days: 30, prices: { RUB: 19_900 }, devices: 2 }]),
      RATE_LIMIT_SUB: '10000',
    },
  });
});
afterAll(async () => {
  await bot?.stop();
});

/** A user on the 2-device plan whose iPhone and PC have fetched the feed. */
async function userWithTwoDevices(languageCode = 'en'): Promise<{ user: FakeUser; subId: string }> {
  const user = bot.newUser({ languageCode });
  await bot.factory.user({ id: user.id, languageCode });
  const sub = await bot.factory.subscription({ userId: user.id, planCode: '1m' });
  const feed = (headers: Record<string, string>) =>
    fetch(`${bot.url}/sub/${sub.subToken}`, { headers, signal: AbortSignal.timeout(10_000) });
  await feed({
    'x-hwid': 'iphone-hw',
    'x-device-os': 'iOS',
    'x-ver-os': '18.1',
    'x-device-model': 'iPhone 15',
  });
  await feed({ 'x-hwid': 'pc-hw-1234' });
  return { user, subId: String(sub.id) };
}
const devicesOf = async (subId: string) =>
  (
    await bot.query<{ hwid: string }>(
      'SELECT hwid FROM subscription_devices WHERE subscription_id = $1 ORDER BY hwid',
      [subId],
    )
  ).map((r) => r.hwid);

describe('my subscription → devices', () => {
  it('lists the devices against the plan limit and removes one, freeing its slot', async () => {
    const { user, subId } = await userWithTwoDevices();
    expect(callbackData(await bot.tap(user, 'sub'))).toContain('sub:dev');
    const list = await bot.tap(user, 'sub:dev');
    const text = lastText(list);
    expect(text).toContain('Using 2 of 2 devices.');
    expect(text).toContain('1. iPhone 15 · iOS 18.1');
    expect(text).toContain('2. ID pc-hw-12…');
    expect(text).toMatch(/vless:\/\/ key pasted by hand is not counted/);
    expect(callbackData(list)).toEqual([
      `sub:dev:rm:${deviceKey('iphone-hw')}`,
      `sub:dev:rm:${deviceKey('pc-hw-1234')}`,
      'sub',
      'menu',
    ]);

    const removed = await bot.tap(user, `sub:dev:rm:${deviceKey('iphone-hw')}`);
    expect(answersOf(removed)[0].params).toMatchObject({ text: 'Device removed' });
    expect(lastText(removed)).toContain('Using 1 of 2 devices.');
    expect(await devicesOf(subId)).toEqual(['pc-hw-1234']);

    const again = await bot.tap(user, `sub:dev:rm:${deviceKey('iphone-hw')}`);
    expect(answersOf(again)[0].params).toMatchObject({ text: 'This device was already removed' });
    expect(await devicesOf(subId)).toEqual(['pc-hw-1234']);
  });

  it('speaks Russian to a Russian user', async () => {
    const { user } = await userWithTwoDevices('ru');
    const text = lastText(await bot.tap(user, 'sub:dev'));
    expect(text).toContain('📱 <b>Устройства</b>');
    expect(text).toContain('Используется 2 из 2 устройств.');
  });

  it('removes nothing for a forged button of a device that is not the user’s', async () => {
    const { user, subId } = await userWithTwoDevices();
    const other = await userWithTwoDevices();
    const forged = await bot.tap(user, `sub:dev:rm:${deviceKey('somebody-else')}`);
    expect(answersOf(forged)[0].params).toMatchObject({ text: 'This device was already removed' });
    expect(await devicesOf(subId)).toEqual(['iphone-hw', 'pc-hw-1234']);
    expect(await devicesOf(other.subId)).toEqual(['iphone-hw', 'pc-hw-1234']);
  });

  it('sends a user without a subscription to the plans instead of an empty list', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    const calls = await bot.tap(user, 'sub:dev');
    expect(lastText(calls)).toMatch(/no subscription yet/);
    expect(callbackData(calls)).toContain('plans');
  });
});
