import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersOf, BotHarness, textsOf } from './telegram-ux-harness';

// Telegram refuses an edit that changes nothing ("message is not modified"): the user must still see a reaction.
let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({ strictEdits: true });
});
afterAll(async () => {
  await bot?.stop();
});

describe('pressing a button whose screen is already shown', () => {
  it('answers "up to date" instead of staying silent', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    const first = await bot.tap(user, 'menu', 7);
    expect(textsOf(first).length).toBe(1);
    expect(answersOf(first).map((c) => c.params.text ?? '')).toEqual(['']);

    const again = await bot.tap(user, 'menu', 7);
    expect(answersOf(again).map((c) => c.params.text)).toEqual(['✓ Up to date']);
  });

  it("says it in the user's language", async () => {
    const user = bot.newUser({ languageCode: 'ru' });
    await bot.say(user, '/start');
    await bot.tap(user, 'menu', 8);
    const again = await bot.tap(user, 'menu', 8);
    expect(answersOf(again).map((c) => c.params.text)).toEqual(['✓ Уже актуально']);
  });
});
