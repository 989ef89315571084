import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { answersOf, BotHarness, callbackData, lastText, textsOf } from './telegram-ux-harness';

// Crypto Pay is not configured here: only the enabled payment methods may be offered.
let bot: BotHarness;
// The admin handlers are bot handlers too: for an admin, the user handlers must leave admin input to them.
const ADMIN_ID = 490_000_001;
beforeAll(async () => {
  bot = await BotHarness.start({
    env: {
      TOPUP_AMOUNTS: '100,300',
      TOPUP_MIN_AMOUNT: '50',
      TOPUP_MAX_AMOUNT: '5000',
      ADMIN_IDS: String(ADMIN_ID),
    },
  });
});
afterAll(async () => {
  await bot?.stop();
});
afterEach(() => bot.telegram.clearFaults());

const purchasesOf = (id: number) => bot.query('SELECT 1 FROM purchases WHERE user_id = $1', [id]);
async function started(over: Partial<FakeUser> = {}): Promise<FakeUser> {
  const user = bot.newUser(over);
  await bot.say(user, '/start');
  return user;
}
/** A message replying to the bot's amount prompt, as Telegram delivers a ForceReply answer. */
function replyToPrompt(user: FakeUser, prompt: string, text: string) {
  return bot.handled(() =>
    bot.telegram.push({
      message: {
        message_id: 9_000 + Math.floor(Math.random() * 1_000),
        from: { id: user.id, is_bot: false, first_name: 'Ann', language_code: user.languageCode ?? 'en' },
        chat: { id: user.id, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text,
        reply_to_message: {
          message_id: 77,
          from: { id: 123456, is_bot: true, first_name: 'Fake' },
          chat: { id: user.id, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text: prompt,
        },
      },
    }),
  );
}

describe('top-up amounts', () => {
  it('offers the preset amounts and only the enabled payment methods (Stars, at the configured rate)', async () => {
    const user = await started();
    expect(callbackData(await bot.tap(user, 'bal'))).toEqual(['tu:10000', 'tu:30000', 'tu:custom', 'menu']);
    const methods = await bot.tap(user, 'tu:10000');
    expect(callbackData(methods)).toEqual(['ts:10000', 'bal']);
    expect(lastText(methods)).toMatch(/Top up/);
    const invoice = (await bot.tap(user, 'ts:10000')).find((c) => c.method === 'sendInvoice')!;
    // 100.00 RUB at 1.30 RUB per Star, rounded up.
    expect(invoice.params).toMatchObject({
      currency: 'XTR',
      prices: [{ amount: 77, label: expect.any(String) }],
    });
    const [p] = await bot.query<{ kind: string; credit_minor: string }>(
      'SELECT kind, credit_minor FROM purchases WHERE user_id = $1',
      [user.id],
    );
    expect(p).toMatchObject({ kind: 'topup', credit_minor: '10000' });
  });

  it('asks for a custom amount with a forced reply and accepts a typed number', async () => {
    const user = await started();
    const ask = await bot.tap(user, 'tu:custom');
    const prompt = ask.find((c) => c.method === 'sendMessage')!;
    expect(prompt.params.reply_markup).toMatchObject({ force_reply: true });
    const calls = await replyToPrompt(user, String(prompt.params.text), '250,50');
    expect(callbackData(calls)).toEqual(['ts:25050', 'bal']);
    expect(callbackData(await bot.say(user, '400'))).toEqual(['ts:40000', 'bal']);
    expect(await purchasesOf(user.id)).toHaveLength(0);
  });

  it('answers text that is not a number with a clear message and writes nothing', async () => {
    const user = await started();
    const prompt = String(
      (await bot.tap(user, 'tu:custom')).find((c) => c.method === 'sendMessage')!.params.text,
    );
    const calls = await replyToPrompt(user, prompt, 'two hundred');
    expect(lastText(calls)).toBe('"two hundred" is not an amount. Please send a number, e.g. 250.');
    expect(await purchasesOf(user.id)).toHaveLength(0);
  });

  it('refuses an amount out of range, typed or from a forged button, and writes nothing', async () => {
    const user = await started({ languageCode: 'ru' });
    expect(lastText(await bot.say(user, '10'))).toMatch(/Сумма пополнения должна быть от 50\s₽ до 5\s000\s₽/);
    expect(lastText(await bot.say(user, '999999'))).toMatch(/должна быть от/);
    const forged = await bot.tap(user, 'ts:1');
    expect(answersOf(forged)[0].params.text).toMatch(/должна быть от/);
    expect(forged.some((c) => c.method === 'sendInvoice')).toBe(false);
    expect(await purchasesOf(user.id)).toHaveLength(0);
  });
});

describe('stale, unknown and foreign input', () => {
  it('answers an unknown button with a short notice and a fresh menu', async () => {
    const user = await started();
    for (const data of ['nonsense', 'plan:', 'tu:abc', 'sub:ar:7', 'x'.repeat(64)]) {
      const calls = await bot.tap(user, data);
      expect(answersOf(calls)).toHaveLength(1);
      expect(answersOf(calls)[0].params.text).toBe('This button is out of date. Here is the current menu.');
      expect(callbackData(calls)).toContain('sub');
    }
  });

  it('answers a button for a plan that no longer exists and offers the plans', async () => {
    const user = await started();
    for (const data of ['plan:gone', 'pb:gone', 'pbok:gone:abcdefgh', 'ps:gone']) {
      const calls = await bot.tap(user, data);
      expect(answersOf(calls)[0].params.text).toBe(
        'This plan is no longer available. Please choose another one.',
      );
      expect(callbackData(calls)).toContain('plans');
    }
    expect(await purchasesOf(user.id)).toHaveLength(0);
  });

  it('registers an unknown user who presses a button and shows them the menu', async () => {
    const stranger = bot.newUser({ languageCode: 'ru' });
    const calls = await bot.tap(stranger, 'bal');
    expect(lastText(calls)).toMatch(/Ваш баланс/);
    const rows = await bot.query<{ language_code: string }>('SELECT language_code FROM users WHERE id = $1', [
      stranger.id,
    ]);
    expect(rows).toEqual([{ language_code: 'ru' }]);
  });

  it('clears the blocked flag when a user who had blocked the bot writes again', async () => {
    const user = await started();
    await bot.query('UPDATE users SET blocked_at = now() WHERE id = $1', [user.id]);
    await bot.say(user, '/menu');
    const [row] = await bot.query<{ blocked_at: Date | null }>('SELECT blocked_at FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(row.blocked_at).toBeNull();
  });

  it('tells a user banned by an admin that access is restricted, whatever they press', async () => {
    const user = await started();
    await bot.query('UPDATE users SET is_banned = true WHERE id = $1', [user.id]);
    expect(lastText(await bot.say(user, '/menu'))).toMatch(/access to this bot is restricted/);
    const tapped = await bot.tap(user, 'trial');
    expect(answersOf(tapped)[0].params).toMatchObject({
      text: expect.stringMatching(/restricted/),
      show_alert: true,
    });
    expect(await bot.query('SELECT 1 FROM subscriptions WHERE user_id = $1', [user.id])).toHaveLength(0);
  });

  it('answers unknown commands and chatter with the menu, but leaves admin commands and buttons alone', async () => {
    const user = await started({ id: ADMIN_ID });
    expect(lastText(await bot.say(user, '/frobnicate'))).toMatch(/I do not know this command/);
    expect(lastText(await bot.say(user, 'hello there'))).toMatch(/Please use the buttons below/);
    for (const cmd of ['/stats', '/grant 1 2', '/broadcast hi']) {
      const calls = await bot.say(user, cmd);
      expect(textsOf(calls).some((t) => /do not know this command|Please use the buttons/.test(t))).toBe(
        false,
      );
    }
    const admin = await bot.tap(user, 'adm:stats');
    expect(textsOf(admin).some((t) => /out of date/.test(t))).toBe(false);
    expect(answersOf(admin).every((a) => a.params.text === undefined)).toBe(true);
  });
});

describe('error boundary', () => {
  it('still shows the screen when the button press is too old to be answered', async () => {
    const user = await started();
    bot.telegram.fault('answerCallbackQuery', {
      kind: 'status',
      code: 400,
      description: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
    });
    const updateId = bot.telegram.pressButton(user, 'bal');
    await bot.until(async () => (await bot.updateState(updateId)) === 'done');
    expect(bot.telegram.sentTo(user.id, 'editMessageText').at(-1)?.params.text).toMatch(/Your balance/);
  });

  it('apologises once for a failure that is not transient and keeps the update as failed', async () => {
    const user = await started();
    bot.telegram.fault('sendMessage', {
      kind: 'status',
      code: 400,
      description: 'Bad Request: chat not found',
    });
    const updateId = bot.telegram.userMessage(user, '/menu');
    await bot.until(async () => (await bot.updateState(updateId)) === 'failed');
    const sent = bot.telegram
      .sentTo(user.id, 'sendMessage')
      .filter((c) => /Something went wrong/.test(String(c.params.text)));
    expect(sent).toHaveLength(1);
  });

  it('retries a transient failure without apologising, and answers once', async () => {
    const user = await started();
    const before = bot.telegram.sentTo(user.id, 'sendMessage').length;
    bot.telegram.fault('sendMessage', { kind: 'status', code: 502 });
    const calls = await bot.say(user, '/menu');
    expect(textsOf(calls).filter((t) => /Hello/.test(t))).toHaveLength(1);
    expect(textsOf(calls).some((t) => /Something went wrong/.test(t))).toBe(false);
    expect(bot.telegram.sentTo(user.id, 'sendMessage').length - before).toBe(1);
  });
});

describe('when every retry of an update fails for outside reasons', () => {
  let slow: BotHarness;
  beforeAll(async () => {
    slow = await BotHarness.start({
      env: { TELEGRAM_HANDLER_TIMEOUT_MS: '400', TELEGRAM_UPDATE_MAX_ATTEMPTS: '2' },
    });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('tells the user once, in their language, after the last attempt instead of leaving them in silence', async () => {
    const user = slow.newUser({ languageCode: 'ru' });
    // Both attempts' replies outlive the 400 ms deadline (a transient failure, so neither attempt apologises).
    slow.telegram.fault('sendMessage', { kind: 'delay', ms: 2_000 }, 2);
    const updateId = slow.telegram.userMessage(user, '/menu');
    await slow.until(async () => (await slow.updateState(updateId)) === 'failed', 20_000);
    await slow.until(() =>
      slow.telegram
        .sentTo(user.id, 'sendMessage')
        .some((c) => /что-то пошло не так/.test(String(c.params.text))),
    );
    await new Promise((r) => setTimeout(r, 500));
    const apologies = slow.telegram
      .sentTo(user.id, 'sendMessage')
      .filter((c) => /что-то пошло не так/.test(String(c.params.text)));
    expect(apologies).toHaveLength(1);
  });
});
