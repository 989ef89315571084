import i18next, { type i18n, type Resource } from 'i18next';
import { escapeHtml } from './html';
import { LANGS, type Lang } from './langs';
import { shippedCatalog, type Catalog } from './catalog';

/** The bot's texts (HTML: values are escaped unless the placeholder is `{{- raw}}`) and the admins' (plain). */
export const NAMESPACES = { bot: 'bot', admin: 'admin' } as const;
export type Namespace = keyof typeof NAMESPACES;

export type Params = Record<string, string | number | undefined>;

/** Process-wide: views are plain functions, so no service is threaded through them. */
let instance: i18n | undefined;

export function installCatalog(catalog: Catalog): void {
  const resources: Resource = {};
  for (const lang of LANGS) {
    resources[lang] = { bot: catalog.bot[lang] ?? {} };
  }
  resources.en.admin = catalog.admin;
  const next = i18next.createInstance();
  void next.init({
    initAsync: false,
    resources,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LANGS],
    ns: ['bot', 'admin'],
    defaultNS: 'bot',
    nsSeparator: false,
    returnNull: false,
    // Telegram HTML needs only &, < and > escaped; quotes stay as typed (user names, amounts).
    interpolation: { escapeValue: true, escape: escapeHtml },
    showSupportNotice: false,
  });
  instance = next;
}

function catalogue(): i18n {
  if (!instance) installCatalog(shippedCatalog());
  return instance!;
}

/** A bot text in `lang`; `count` picks the plural form (Intl.PluralRules of the language). */
export function t(lang: Lang, key: string, params: Params = {}): string {
  return catalogue().t(key, { lng: lang, ns: 'bot', ...data(params) });
}

/** An admin text: plain text (admin replies have no parse mode), English (operators read English). */
export function ta(key: string, params: Params = {}): string {
  return catalogue().t(key, {
    lng: 'en',
    ns: 'admin',
    interpolation: { escapeValue: false },
    ...data(params),
  });
}

// Values go in `replace`, so a placeholder named like an i18next option (context, ns…) stays a value.
const data = (params: Params) => ({
  replace: params,
  ...(typeof params.count === 'number' ? { count: params.count } : {}),
});
