import { INTL_LOCALE, type Lang } from './langs';
import { t } from './translate';

/** Minor units as money ("199 ₽", "RUB 199.50"); Telegram Stars (XTR) as "150 ⭐". */
export function money(minor: number, currency: string, lang: Lang): string {
  if (currency === 'XTR') return t(lang, 'format.stars', { count: minor });
  const whole = minor % 100 === 0;
  try {
    return new Intl.NumberFormat(INTL_LOCALE[lang], {
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
  const text = d.toLocaleString(INTL_LOCALE[lang], {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
  return t(lang, 'format.utc', { time: text });
}

export function minutesLeft(ms: number, lang: Lang): string {
  return t(lang, 'format.minutes', { count: Math.max(1, Math.ceil(ms / 60_000)) });
}
