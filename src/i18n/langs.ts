/** Languages the bot speaks (one `locales/<lang>.json` each); any other Telegram language gets English. */
export const LANGS = ['en', 'ru', 'fa'] as const;
export type Lang = (typeof LANGS)[number];

export function toLang(code: string | null | undefined): Lang {
  const primary = code?.toLowerCase().split(/[-_]/)[0];
  return LANGS.find((l) => l === primary) ?? 'en';
}

/** The Intl locale behind each language (dates, money, plural rules). */
export const INTL_LOCALE: Record<Lang, string> = { en: 'en-GB', ru: 'ru-RU', fa: 'fa-IR' };
