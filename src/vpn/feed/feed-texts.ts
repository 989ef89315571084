import { LANGS, type Lang } from '../../i18n/langs';
import { t } from '../../i18n/translate';

/** The subscription page's texts are the `feed.*` keys of the bot's locale files (same languages, overrides). */
export type FeedLang = Lang;

/** The first shipped language the browser prefers (Accept-Language order and q-values); English otherwise. */
export function feedLang(acceptLanguage: string | undefined): FeedLang {
  const prefs = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((p) => p.tag && p.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const p of prefs) {
    const lang = LANGS.find((l) => p.tag.split(/[-_]/)[0] === l);
    if (lang) return lang;
  }
  return 'en';
}

export type FeedBlock = 'expired' | 'revoked' | 'banned' | 'over_limit' | 'device_limit';

const PLATFORMS: [string, string][] = [
  ['Android', 'v2rayNG, Hiddify, Happ'],
  ['iPhone / iPad', 'Streisand, Happ, Shadowrocket, sing-box'],
  ['Windows', 'Hiddify, v2rayN, Clash Verge'],
  ['macOS', 'Hiddify, Clash Verge, sing-box'],
  ['Linux', 'Hiddify, Clash Verge, sing-box'],
];

export function feedTexts(lang: FeedLang) {
  const k = (key: string) => t(lang, `feed.${key}`);
  return {
    title: k('title'),
    status: k('status'),
    active: k('active'),
    state: (block: FeedBlock) => k(`state.${block}`),
    expires: k('expires'),
    usage: k('usage'),
    unlimited: k('unlimited'),
    devices: k('devices'),
    keys: k('keys'),
    keysHint: k('keysHint'),
    import: k('import'),
    subUrl: k('subUrl'),
    apps: k('apps'),
    renew: k('renew'),
    support: k('support'),
    blocked: (block: FeedBlock) => k(`blocked.${block}`),
    platforms: PLATFORMS,
  };
}

/** The reason header value machines read (`announce` carries the human text). */
export function blockedReason(block: FeedBlock): string {
  return block.replace('_', '-');
}
