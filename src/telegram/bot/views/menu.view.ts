import type { InlineKeyboardButton } from 'telegraf/types';
import { CB } from './callback-data';
import { dateTime, esc, money, type Lang, type Screen, type Texts } from './i18n';

export const btn = (text: string, data: string): InlineKeyboardButton => ({ text, callback_data: data });
export const urlBtn = (text: string, url: string): InlineKeyboardButton => ({ text, url });

const BACK: Texts = { en: '⬅️ Menu', ru: '⬅️ Меню' };
export const backToMenu = (lang: Lang) => [btn(BACK[lang], CB.menu)];
export const back = (lang: Lang, data: string) => [btn(lang === 'ru' ? '⬅️ Назад' : '⬅️ Back', data)];

export interface MainMenuInput {
  firstName: string | null;
  created: boolean;
  trialAvailable: boolean;
  subscription: { active: boolean; expiresAt: Date; isTrial: boolean } | null;
  balanceMinor: number;
  currency: string;
}

export function mainMenu(m: MainMenuInput, lang: Lang): Screen {
  const name = m.firstName ? `, ${esc(m.firstName)}` : '';
  const hello = {
    en: m.created ? `👋 Welcome${name}!` : `👋 Hello${name}!`,
    ru: m.created ? `👋 Добро пожаловать${name}!` : `👋 Здравствуйте${name}!`,
  }[lang];
  const intro = {
    en: 'Fast and private VPN right here in Telegram.',
    ru: 'Быстрый и приватный VPN прямо в Telegram.',
  }[lang];
  let status: string;
  if (m.subscription?.active) {
    const until = dateTime(m.subscription.expiresAt, lang);
    status = {
      en: `${m.subscription.isTrial ? '🎁 Trial' : '✅ Subscription'} active until <b>${until}</b>`,
      ru: `${m.subscription.isTrial ? '🎁 Пробный период' : '✅ Подписка'} активна до <b>${until}</b>`,
    }[lang];
  } else {
    status = { en: '⚪️ No active subscription', ru: '⚪️ Нет активной подписки' }[lang];
  }
  const balance = {
    en: `💰 Balance: <b>${money(m.balanceMinor, m.currency, lang)}</b>`,
    ru: `💰 Баланс: <b>${money(m.balanceMinor, m.currency, lang)}</b>`,
  }[lang];
  const L = MENU_BUTTONS[lang];
  const keyboard: InlineKeyboardButton[][] = [];
  if (m.trialAvailable) keyboard.push([btn(L.trial, CB.trial)]);
  keyboard.push([btn(L.plans, CB.plans)]);
  keyboard.push([btn(L.sub, CB.sub)]);
  keyboard.push([btn(L.balance, CB.balance), btn(L.referrals, CB.referrals)]);
  keyboard.push([btn(L.help, CB.help), btn(L.lang, CB.lang)]);
  return { text: `${hello}\n${intro}\n\n${status}\n${balance}`, keyboard };
}

export const MENU_BUTTONS: Texts<
  Record<'trial' | 'plans' | 'sub' | 'balance' | 'referrals' | 'help' | 'lang', string>
> = {
  en: {
    trial: '🎁 Free trial',
    plans: '🛒 Buy / renew',
    sub: '🔑 My subscription',
    balance: '💰 Balance & top-up',
    referrals: '👥 Referrals',
    help: '❓ Help',
    lang: '🌐 Language',
  },
  ru: {
    trial: '🎁 Пробный период',
    plans: '🛒 Купить / продлить',
    sub: '🔑 Моя подписка',
    balance: '💰 Баланс и пополнение',
    referrals: '👥 Рефералы',
    help: '❓ Помощь',
    lang: '🌐 Язык',
  },
};

export function helpScreen(supportContact: string, lang: Lang): Screen {
  const text = {
    en:
      '❓ <b>Help</b>\n\n' +
      '1. Get a free trial or buy a plan.\n' +
      '2. Open "My subscription": copy the <code>vless://</code> link or scan the QR code.\n' +
      '3. Import it into a VPN app (see "Setup guide") and connect.\n\n' +
      'Payments arrive automatically; the key stays the same when you renew.\n\n' +
      `Support: ${esc(supportContact)}`,
    ru:
      '❓ <b>Помощь</b>\n\n' +
      '1. Возьмите пробный период или купите тариф.\n' +
      '2. Откройте «Моя подписка»: скопируйте ссылку <code>vless://</code> или отсканируйте QR-код.\n' +
      '3. Импортируйте её в VPN-приложение (см. «Инструкция») и подключитесь.\n\n' +
      'Оплата зачисляется автоматически; при продлении ключ не меняется.\n\n' +
      `Поддержка: ${esc(supportContact)}`,
  }[lang];
  return {
    text,
    keyboard: [[btn(lang === 'ru' ? '📱 Инструкция' : '📱 Setup guide', CB.guide)], backToMenu(lang)],
  };
}

export function languageMenu(lang: Lang): Screen {
  return {
    text: lang === 'ru' ? '🌐 Выберите язык:' : '🌐 Choose your language:',
    keyboard: [[btn('🇬🇧 English', CB.setLang('en')), btn('🇷🇺 Русский', CB.setLang('ru'))], backToMenu(lang)],
  };
}

export const languageChanged: Texts = { en: 'Language: English', ru: 'Язык: русский' };

export const unknownCommand: Texts = {
  en: 'I do not know this command. Here is the menu:',
  ru: 'Такой команды нет. Вот меню:',
};

export const unknownText: Texts = {
  en: 'Please use the buttons below. To top up your balance, send an amount, e.g. 250.',
  ru: 'Пожалуйста, используйте кнопки ниже. Чтобы пополнить баланс, отправьте сумму, например 250.',
};

export const staleButton: Texts = {
  en: 'This button is out of date. Here is the current menu.',
  ru: 'Эта кнопка устарела. Вот актуальное меню.',
};

export const somethingWentWrong: Texts = {
  en: '⚠️ Something went wrong on our side. Please try again in a moment.',
  ru: '⚠️ У нас что-то пошло не так. Пожалуйста, попробуйте ещё раз чуть позже.',
};

export function apologyMessage(lang: Lang): {
  text: string;
  extra: { reply_markup: { inline_keyboard: InlineKeyboardButton[][] } };
} {
  return { text: somethingWentWrong[lang], extra: { reply_markup: { inline_keyboard: [backToMenu(lang)] } } };
}

export const accessRestricted: Texts = {
  en: '⛔ Your access to this bot is restricted. Please contact support.',
  ru: '⛔ Доступ к боту ограничен. Обратитесь в поддержку.',
};

/** In a group the bot only points to the private chat: it never shows a user's data where others read. */
export const privateChatOnly = (lang: Lang, botUsername: string): string =>
  ({
    en: `🔒 Message me privately: https://t.me/${botUsername}`,
    ru: `🔒 Напишите мне в личные сообщения: https://t.me/${botUsername}`,
  })[lang];

export const privateChatOnlyToast: Texts = {
  en: '🔒 This works in a private chat with the bot only.',
  ru: '🔒 Это работает только в личном чате с ботом.',
};
