import type { InlineKeyboardButton } from 'telegraf/types';
import { CB } from './callback-data';
import { money, t, texts, type Lang, type Screen } from './i18n';
import { back, backToMenu, btn, urlBtn } from './menu.view';

export function balanceScreen(
  p: { balanceMinor: number; currency: string; amountsMinor: number[]; canTopUp: boolean },
  lang: Lang,
): Screen {
  const balance = money(p.balanceMinor, p.currency, lang);
  const text = t(lang, p.canTopUp ? 'balance.canTopUp' : 'balance.cannotTopUp', { balance });
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.canTopUp) {
    const buttons = p.amountsMinor.map((a) => btn(money(a, p.currency, lang), CB.topup(a)));
    for (let i = 0; i < buttons.length; i += 2) keyboard.push(buttons.slice(i, i + 2));
    keyboard.push([btn(t(lang, 'button.otherAmount'), CB.topupCustom)]);
  }
  keyboard.push(backToMenu(lang));
  return { text, keyboard };
}

export function topupMethods(
  p: { amountMinor: number; currency: string; cryptoPay: boolean; stars?: number },
  lang: Lang,
): Screen {
  const keyboard: InlineKeyboardButton[][] = [];
  if (p.cryptoPay) keyboard.push([btn(t(lang, 'button.payCrypto'), CB.topupCrypto(p.amountMinor))]);
  if (p.stars)
    keyboard.push([
      btn(t(lang, 'button.payStars', { stars: money(p.stars, 'XTR', lang) }), CB.topupStars(p.amountMinor)),
    ]);
  keyboard.push(back(lang, CB.balance));
  return { text: t(lang, 'topup.methods', { amount: money(p.amountMinor, p.currency, lang) }), keyboard };
}

/** The prompt the custom amount replies to; the text handler recognises replies to it by these texts. */
export const topupPrompt = texts('topup.prompt');

export function topupPromptText(
  p: { minMinor: number; maxMinor: number; currency: string },
  lang: Lang,
): string {
  const range = { min: money(p.minMinor, p.currency, lang), max: money(p.maxMinor, p.currency, lang) };
  return topupPrompt[lang] + t(lang, 'topup.promptRange', range);
}

export function notANumber(text: string, lang: Lang): string {
  return t(lang, 'topup.notANumber', { text: text.length > 40 ? `${text.slice(0, 40)}…` : text });
}

export function amountOutOfRange(
  p: { minMinor: number; maxMinor: number; currency: string },
  lang: Lang,
): string {
  const min = money(p.minMinor, p.currency, lang);
  const max = money(p.maxMinor, p.currency, lang);
  return t(lang, 'topup.outOfRange', { min, max });
}

export const topupUnavailable = texts('topup.unavailable');
export const topupTitle = texts('topup.title');

export function referralsScreen(
  p: { link: string; invited: number; earnedMinor: number; currency: string; percent: number },
  lang: Lang,
): Screen {
  const earned = money(p.earnedMinor, p.currency, lang);
  const text = t(lang, 'referrals.text', { percent: p.percent, link: p.link, invited: p.invited, earned });
  const share = `https://t.me/share/url?url=${encodeURIComponent(p.link)}`;
  return { text, keyboard: [[urlBtn(t(lang, 'button.share'), share)], backToMenu(lang)] };
}
