import type { InlineKeyboardButton } from 'telegraf/types';

// Texts live in src/i18n/locales; views choose keys (t) and build keyboards.
import { LANGS, type Lang } from '../../../i18n/langs';
import { t } from '../../../i18n/translate';

export { LANGS, toLang, type Lang } from '../../../i18n/langs';
export { bytes, dateTime, minutesLeft, money } from '../../../i18n/format';
export { escapeHtml as esc } from '../../../i18n/html';
export { t } from '../../../i18n/translate';

export interface Screen {
  text: string;
  keyboard?: InlineKeyboardButton[][];
}

export type Texts = Readonly<Record<Lang, string>>;

/** A key as `{ en, ru, fa }`, read at each access (so operator overrides apply): `accessRestricted[lang]`. */
export function texts(key: string): Texts {
  const out = {} as Record<Lang, string>;
  for (const l of LANGS) Object.defineProperty(out, l, { get: () => t(l, key), enumerable: true });
  return out;
}
