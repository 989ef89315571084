import type { InlineKeyboardButton } from 'telegraf/types';
import { CB } from './callback-data';
import { esc, money, type Lang, type Screen, type Texts } from './i18n';
import { back, backToMenu, btn, urlBtn } from './menu.view';

export function balanceScreen(
  p: { balanceMinor: number; currency: string; amountsMinor: number[]; canTopUp: boolean },
  lang: Lang,
): Screen {
  const text = {
    en: `💰 Your balance: <b>${money(p.balanceMinor, p.currency, lang)}</b>\n\n${p.canTopUp ? 'Choose an amount to top up, or send any amount as a message:' : 'Top-ups are not available right now.'}`,
    ru: `💰 Ваш баланс: <b>${money(p.balanceMinor, p.currency, lang)}</b>\n\n${p.canTopUp ? 'Выберите сумму пополнения или отправьте любую сумму сообщением:' : 'Пополнение сейчас недоступно.'}`,
  }[lang];
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.canTopUp) {
    const buttons = p.amountsMinor.map((a) => btn(money(a, p.currency, lang), CB.topup(a)));
    for (let i = 0; i < buttons.length; i += 2) keyboard.push(buttons.slice(i, i + 2));
    keyboard.push([btn(lang === 'ru' ? '✏️ Другая сумма' : '✏️ Other amount', CB.topupCustom)]);
  }
  keyboard.push(backToMenu(lang));
  return { text, keyboard };
}

export function topupMethods(
  p: { amountMinor: number; currency: string; cryptoPay: boolean; stars?: number },
  lang: Lang,
): Screen {
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.cryptoPay)
    keyboard.push([
      btn(
        lang === 'ru' ? '💎 Криптовалютой (Crypto Pay)' : '💎 Crypto (Crypto Pay)',
        CB.topupCrypto(p.amountMinor),
      ),
    ]);
  if (p.stars)
    keyboard.push([btn(`⭐ Telegram Stars (${money(p.stars, 'XTR', lang)})`, CB.topupStars(p.amountMinor))]);
  keyboard.push(back(lang, CB.balance));
  const amount = money(p.amountMinor, p.currency, lang);
  return {
    text:
      lang === 'ru'
        ? `Пополнение на <b>${amount}</b>.\nВыберите способ оплаты:`
        : `Top up <b>${amount}</b>.\nChoose how to pay:`,
    keyboard,
  };
}

/** The prompt the custom amount replies to; the text handler recognises replies to it by these texts. */
export const topupPrompt: Texts = {
  en: '✏️ Send the amount to top up, as a number',
  ru: '✏️ Отправьте сумму пополнения числом',
};

export function topupPromptText(
  p: { minMinor: number; maxMinor: number; currency: string },
  lang: Lang,
): string {
  const range = `${money(p.minMinor, p.currency, lang)} – ${money(p.maxMinor, p.currency, lang)}`;
  return lang === 'ru'
    ? `${topupPrompt.ru} (${range}), например 250:`
    : `${topupPrompt.en} (${range}), e.g. 250:`;
}

export function notANumber(text: string, lang: Lang): string {
  const shown = esc(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return lang === 'ru'
    ? `«${shown}» — это не сумма. Отправьте число, например 250.`
    : `"${shown}" is not an amount. Please send a number, e.g. 250.`;
}

export function amountOutOfRange(
  p: { minMinor: number; maxMinor: number; currency: string },
  lang: Lang,
): string {
  const min = money(p.minMinor, p.currency, lang);
  const max = money(p.maxMinor, p.currency, lang);
  return lang === 'ru'
    ? `Сумма пополнения должна быть от ${min} до ${max}.`
    : `The top-up amount must be between ${min} and ${max}.`;
}

export const topupUnavailable: Texts = {
  en: 'Top-ups are not available right now. Please contact support.',
  ru: 'Пополнение сейчас недоступно. Обратитесь в поддержку.',
};

export function referralsScreen(
  p: { link: string; invited: number; earnedMinor: number; currency: string; percent: number },
  lang: Lang,
): Screen {
  const earned = money(p.earnedMinor, p.currency, lang);
  const text = {
    en: `👥 <b>Referrals</b>\n\nInvite friends with your personal link and get ${p.percent}% of their payments on your balance.\n\nYour link:\n<code>${esc(p.link)}</code>\n\nInvited: <b>${p.invited}</b>\nEarned: <b>${earned}</b>`,
    ru: `👥 <b>Рефералы</b>\n\nПриглашайте друзей по личной ссылке и получайте ${p.percent}% их оплат на баланс.\n\nВаша ссылка:\n<code>${esc(p.link)}</code>\n\nПриглашено: <b>${p.invited}</b>\nЗаработано: <b>${earned}</b>`,
  }[lang];
  const share = `https://t.me/share/url?url=${encodeURIComponent(p.link)}`;
  return {
    text,
    keyboard: [[urlBtn(lang === 'ru' ? '📤 Поделиться' : '📤 Share', share)], backToMenu(lang)],
  };
}
