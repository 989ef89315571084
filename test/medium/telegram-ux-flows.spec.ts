import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness, buttonsOf, callbackData, lastText, textsOf } from './telegram-ux-harness';

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({ cryptoPay: true });
});
afterAll(async () => {
  await bot?.stop();
});

describe('start and main menu', () => {
  it('registers a user on /start with a referral payload and shows the main menu with a trial button', async () => {
    const referrer = bot.newUser();
    await bot.say(referrer, '/start');
    const friend = bot.newUser({ firstName: 'Bob' });
    const calls = await bot.say(friend, `/start ref_${referrer.id}`);
    const [row] = await bot.query<{ referrer_id: string }>('SELECT referrer_id FROM users WHERE id = $1', [
      friend.id,
    ]);
    expect(Number(row.referrer_id)).toBe(referrer.id);
    expect(lastText(calls)).toMatch(/Welcome, Bob/);
    expect(callbackData(calls)).toEqual(['trial', 'plans', 'sub', 'bal', 'ref', 'help', 'lang']);
  });
});
