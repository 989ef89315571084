import type { InlineKeyboardButton } from 'telegraf/types';
import { CB } from './callback-data';
import { dateTime, LANGS, money, t, texts, type Lang, type Screen } from './i18n';

export const btn = (text: string, data: string): InlineKeyboardButton => ({ text, callback_data: data });
export const urlBtn = (text: string, url: string): InlineKeyboardButton => ({ text, url });

export const backToMenu = (lang: Lang) => [btn(t(lang, 'button.menu'), CB.menu)];
export const back = (lang: Lang, data: string) => [btn(t(lang, 'button.back'), data)];

export interface MainMenuInput {
  firstName: string | null;
  created: boolean;
  trialAvailable: boolean;
  subscription: { active: boolean; expiresAt: Date; isTrial: boolean } | null;
  balanceMinor: number;
  currency: string;
}

export function mainMenu(m: MainMenuInput, lang: Lang): Screen {
  const greeting = m.created ? 'menu.welcome' : 'menu.hello';
  const hello = m.firstName ? t(lang, `${greeting}Named`, { name: m.firstName }) : t(lang, greeting);
  let status: string;
  if (m.subscription?.active) {
    const until = dateTime(m.subscription.expiresAt, lang);
    status = t(lang, m.subscription.isTrial ? 'menu.trialActive' : 'menu.subActive', { until });
  } else {
    status = t(lang, 'menu.noSub');
  }
  const balance = t(lang, 'menu.balance', { balance: money(m.balanceMinor, m.currency, lang) });
  const L = (k: MenuButton) => menuButton(k, lang);
  const keyboard: InlineKeyboardButton[][] = [];
  if (m.trialAvailable) keyboard.push([btn(L('trial'), CB.trial)]);
  keyboard.push([btn(L('plans'), CB.plans)]);
  keyboard.push([btn(L('sub'), CB.sub)]);
  keyboard.push([btn(L('balance'), CB.balance), btn(L('referrals'), CB.referrals)]);
  keyboard.push([btn(L('help'), CB.help), btn(L('lang'), CB.lang)]);
  return { text: `${hello}\n${t(lang, 'menu.intro')}\n\n${status}\n${balance}`, keyboard };
}

export type MenuButton = 'trial' | 'plans' | 'sub' | 'balance' | 'referrals' | 'help' | 'lang';
export const menuButton = (k: MenuButton, lang: Lang): string => t(lang, `button.${k}`);

export function helpScreen(supportContact: string, lang: Lang): Screen {
  return {
    text: t(lang, 'help.text', { support: supportContact }),
    keyboard: [[btn(t(lang, 'button.guide'), CB.guide)], backToMenu(lang)],
  };
}

/** Every shipped language, each named in itself. */
export function languageMenu(lang: Lang): Screen {
  return {
    text: t(lang, 'language.choose'),
    keyboard: [LANGS.map((l) => btn(t(l, 'language.name'), CB.setLang(l))), backToMenu(lang)],
  };
}

export const languageChanged = texts('language.changed');
export const unknownCommand = texts('common.unknownCommand');
export const unknownText = texts('common.unknownText');
export const staleButton = texts('common.staleButton');
export const somethingWentWrong = texts('common.somethingWentWrong');
export const accessRestricted = texts('common.accessRestricted');

export function apologyMessage(lang: Lang): {
  text: string;
  extra: { reply_markup: { inline_keyboard: InlineKeyboardButton[][] } };
} {
  return { text: somethingWentWrong[lang], extra: { reply_markup: { inline_keyboard: [backToMenu(lang)] } } };
}

/** In a group the bot only points to the private chat: it never shows a user's data where others read. */
export const privateChatOnly = (lang: Lang, botUsername: string): string =>
  t(lang, 'common.privateChatOnly', { bot: botUsername });

export const privateChatOnlyToast = texts('common.privateChatOnlyToast');
