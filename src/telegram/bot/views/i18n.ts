import type { InlineKeyboardButton } from 'telegraf/types';

export type Lang = 'en' | 'ru';
export const LANGS: readonly Lang[] = ['en', 'ru'];

export function toLang(code: string | null | undefined): Lang {
  return code?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export type Texts<T = string> = Record<Lang, T>;

export interface Screen {
  text: string;
  keyboard?: InlineKeyboardButton[][];
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const locale = (lang: Lang) => (lang === 'ru' ? 'ru-RU' : 'en-GB');

/** Minor units as money ("199 ₽", "RUB 199.50"); Telegram Stars (XTR) as "150 ⭐". */
export function money(minor: number, currency: string, lang: Lang): string {
  if (currency === 'XTR') return `${minor} ⭐`;
  const whole = minor % 100 === 0;
  try {
    return new Intl.NumberFormat(locale(lang), {
      style: 'currency',
      currency,
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: 2,
    }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(whole ? 0 : 2)} ${currency}`;
  }
}

export function dateTime(d: Date, lang: Lang): string {
  const text = d.toLocaleString(locale(lang), {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
  return `${text} UTC`;
}

export function minutesLeft(ms: number, lang: Lang): string {
  const min = Math.max(1, Math.ceil(ms / 60_000));
  return lang === 'ru' ? `${min} мин.` : `${min} min`;
}
