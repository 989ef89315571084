import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersOf, BotHarness, buttonsOf, callbackData, lastText } from './telegram-ux-harness';

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start();
});
afterAll(async () => {
  await bot?.stop();
});

const PERSIAN_DIGIT = /[۰-۹]/;
const vpnUuidOf = async (id: number) =>
  (await bot.query<{ vpn_uuid: string }>('SELECT vpn_uuid FROM subscriptions WHERE user_id = $1', [id]))[0]
    .vpn_uuid;

describe('a journey in Persian (fa)', () => {
  it('greets, gives the trial and delivers the key in Persian, dates in Persian digits', async () => {
    const user = bot.newUser({ languageCode: 'fa', firstName: 'Sara' });
    const start = await bot.say(user, '/start');
    expect(lastText(start)).toMatch(/^👋 Sara، خوش آمدید!\nVPN سریع و امن، همین‌جا در تلگرام\./);
    expect(buttonsOf(start).map((b) => b.text)).toEqual([
      '🎁 دوره آزمایشی رایگان',
      '🛒 خرید / تمدید',
      '🔑 اشتراک من',
      '💰 موجودی و شارژ',
      '👥 دعوت از دوستان',
      '❓ راهنما',
      '🌐 زبان',
    ]);

    const trial = lastText(await bot.tap(user, 'trial'));
    expect(trial).toMatch(/^🎁 دوره آزمایشی رایگان شما تا <b>[^<]+ UTC<\/b> فعال است\./);
    expect(/<b>([^<]+)<\/b>/.exec(trial)![1]).toMatch(PERSIAN_DIGIT);

    await bot.runJob('vpn-provisioning');
    await bot.runJob('notifications-delivery');
    const uuid = await vpnUuidOf(user.id);
    const notice = bot.telegram
      .sentTo(user.id, 'sendMessage')
      .find((c) => String(c.params.text).includes(`<code>vless://${uuid}@vpn.example.test:443`));
    expect(String(notice?.params.text)).toMatch(/^🔑 کلید VPN شما آماده است\./);
    expect(String(notice?.params.text)).toContain('لینک اشتراک (خودکار به‌روز می‌شود):');
    expect(JSON.stringify(notice?.params.reply_markup)).toContain('"text":"📷 کد QR"');

    const sub = lastText(await bot.tap(user, 'sub'));
    expect(sub).toMatch(/^🔑 <b>دوره آزمایشی رایگان<\/b>\nوضعیت: ✅ فعال تا <b>/);
    expect(sub).toContain(`کلید شما (برای کپی لمس کنید):\n<code>vless://${uuid}@vpn.example.test:443`);
  });

  it('offers Persian in the language menu and switches to it, stored for the next visit', async () => {
    const user = bot.newUser({ languageCode: 'de' });
    await bot.say(user, '/start');
    const menu = await bot.tap(user, 'lang');
    expect(buttonsOf(menu).find((b) => b.callback_data === 'lang:fa')?.text).toBe('🇮🇷 فارسی');
    const switched = await bot.tap(user, 'lang:fa');
    expect(answersOf(switched)[0].params.text).toBe('زبان: فارسی');
    expect(lastText(switched)).toMatch(/💰 موجودی: <b>/);
    const row = await bot.query<{ language_code: string }>('SELECT language_code FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(row[0].language_code).toBe('fa');
    expect(lastText(await bot.say(user, '/help'))).toMatch(/پشتیبانی: @help_desk$/);
  });

  it('reads a top-up amount typed in Persian digits and answers in Persian', async () => {
    const user = bot.newUser({ languageCode: 'fa' });
    await bot.say(user, '/start');
    const calls = await bot.say(user, '۲۵۰');
    expect(lastText(calls)).toMatch(/^شارژ <b>.+<\/b>\.\nروش پرداخت را انتخاب کنید:$/);
    expect(callbackData(calls)).toContain('ts:25000');
  });

  it('shows the gift, promo-code and devices screens in Persian', async () => {
    const user = bot.newUser({ languageCode: 'fa' });
    await bot.say(user, '/start');
    const plans = buttonsOf(await bot.tap(user, 'plans')).map((b) => b.text);
    expect(plans).toContain('🎁 هدیه دادن');
    expect(plans).toContain('🎟 کد تخفیف');
    expect(lastText(await bot.tap(user, 'gift'))).toMatch(/^🎁 <b>هدیه دادن اشتراک<\/b>\n/);
    expect(lastText(await bot.say(user, '/start promo_NOSUCH42'))).toBe(
      '❌ چنین کد تخفیفی وجود ندارد. املای آن را بررسی کنید و دوباره امتحان کنید.',
    );

    await bot.tap(user, 'trial');
    const sub = await bot.tap(user, 'sub');
    expect(buttonsOf(sub).find((b) => b.callback_data === 'sub:dev')?.text).toBe('📱 دستگاه‌ها');
    const devices = lastText(await bot.tap(user, 'sub:dev'));
    expect(devices).toMatch(/^📱 <b>دستگاه‌ها<\/b>\n\n/);
    expect(devices).toContain('هنوز هیچ دستگاهی پیوند اشتراک شما را دریافت نکرده است.');
  });
});
