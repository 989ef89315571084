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

const BYTE_UNITS = ['b', 'kb', 'mb', 'gb', 'tb'] as const;

/** Traffic as VPN apps show it (1 GB = 2^30 bytes): "1.5 GB", "1,5 ГБ". */
export function bytes(n: number, lang: Lang): string {
  let v = Math.max(0, n);
  let i = 0;
  for (; v >= 1024 && i < BYTE_UNITS.length - 1; i++) v /= 1024;
  const digits = i === 0 || v >= 100 ? 0 : 1;
  const value = new Intl.NumberFormat(INTL_LOCALE[lang], { maximumFractionDigits: digits }).format(v);
  return t(lang, `format.bytes.${BYTE_UNITS[i]}`, { value });
}
