import { INTL_LOCALE } from '../../i18n/langs';
import { t as translate } from '../../i18n/translate';
import { feedTexts, type FeedBlock, type FeedLang } from './feed-texts';

export interface FeedPageModel {
  lang: FeedLang;
  title: string;
  expiresAt: Date;
  block?: FeedBlock;
  usage: { upload: number; download: number; total: number | null };
  devices?: { active: number; limit: number | null };
  subscriptionUrl: string;
  links: { name: string; link: string; qrDataUrl: string }[];
  botUrl?: string;
  supportUrl?: string;
  /** Style nonce; the CSP allows no other style and no script at all. */
  nonce: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** One-tap import links of the popular apps; Clash and sing-box get their own format pinned in the URL. */
export function importButtons(subUrl: string, title: string): { app: string; href: string }[] {
  const enc = encodeURIComponent;
  const withFormat = (f: string) => `${subUrl}${subUrl.includes('?') ? '&' : '?'}format=${f}`;
  return [
    { app: 'v2rayNG', href: `v2rayng://install-config?url=${enc(subUrl)}&name=${enc(title)}` },
    { app: 'Hiddify', href: `hiddify://import/${subUrl}#${enc(title)}` },
    { app: 'Streisand', href: `streisand://import/${subUrl}#${enc(title)}` },
    { app: 'Happ', href: `happ://add/${subUrl}` },
    {
      app: 'Clash / Mihomo',
      href: `clash://install-config?url=${enc(withFormat('clash'))}&name=${enc(title)}`,
    },
    {
      app: 'sing-box',
      href: `sing-box://import-remote-profile?url=${enc(withFormat('singbox'))}#${enc(title)}`,
    },
  ];
}

const GIB = 1024 ** 3;
const gb = (bytes: number) => `${(bytes / GIB).toFixed(2)} GB`;

const CSS = `body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:760px;padding:16px;color:#1b1f24;background:#f6f8fa}
section{background:#fff;border-radius:12px;padding:16px;margin:12px 0;box-shadow:0 1px 3px #0002}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:0}.warn{background:#fff4e5;border-left:4px solid #f59e0b}
code{word-break:break-all;font-size:.85em}img.qr{width:220px;height:220px;image-rendering:pixelated}
.btn{display:inline-block;margin:4px;padding:10px 14px;border-radius:8px;background:#2563eb;color:#fff;text-decoration:none}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{color:#57606a}`;

/** The page a browser gets: status, usage, one QR per node, import buttons, app advice, the way back to the bot. */
export function renderFeedPage(m: FeedPageModel): string {
  const t = feedTexts(m.lang);
  const e = escapeHtml;
  const date = m.expiresAt.toLocaleString(INTL_LOCALE[m.lang], {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  const used = m.usage.upload + m.usage.download;
  const usage =
    m.usage.total === null ? `${gb(used)} (${t.unlimited})` : `${gb(used)} / ${gb(m.usage.total)}`;
  const status = m.block ? `⛔ ${t.state(m.block)}` : `✅ ${t.active}`;
  const rows: [string, string][] = [
    [t.status, status],
    [t.expires, translate(m.lang, 'format.utc', { time: date })],
    [t.usage, usage],
  ];
  if (m.devices)
    rows.push([t.devices, `${m.devices.active}${m.devices.limit ? ` / ${m.devices.limit}` : ''}`]);
  const parts: string[] = [];
  parts.push(`<h1>${e(m.title)}</h1>`);
  if (m.block) parts.push(`<section class="warn" id="blocked"><p>${e(t.blocked(m.block))}</p></section>`);
  parts.push(
    `<section><dl>${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl></section>`,
  );
  if (!m.block && m.links.length) {
    const buttons = importButtons(m.subscriptionUrl, m.title)
      .map((b) => `<a class="btn" data-app="${e(b.app)}" href="${e(b.href)}">${e(b.app)}</a>`)
      .join('');
    parts.push(`<section id="import"><h2>${e(t.import)}</h2>${buttons}
<p>${e(t.subUrl)}:<br><code>${e(m.subscriptionUrl)}</code></p></section>`);
    const keys = m.links
      .map(
        (l) => `<figure class="key"><figcaption>${e(l.name)}</figcaption>
<img class="qr" alt="QR ${e(l.name)}" src="${e(l.qrDataUrl)}"><br><code>${e(l.link)}</code></figure>`,
      )
      .join('');
    parts.push(`<section id="keys"><h2>${e(t.keys)}</h2><p>${e(t.keysHint)}</p>${keys}</section>`);
  }
  const apps = t.platforms.map(([p, a]) => `<dt>${e(p)}</dt><dd>${e(a)}</dd>`).join('');
  parts.push(`<section id="apps"><h2>${e(t.apps)}</h2><dl>${apps}</dl></section>`);
  const footer: string[] = [];
  if (m.botUrl) footer.push(`<a class="btn" id="renew" href="${e(m.botUrl)}">${e(t.renew)}</a>`);
  if (m.supportUrl) footer.push(`<a class="btn" id="support" href="${e(m.supportUrl)}">${e(t.support)}</a>`);
  if (footer.length) parts.push(`<section>${footer.join('')}</section>`);
  return `<!doctype html><html lang="${m.lang}"${m.lang === 'fa' ? ' dir="rtl"' : ''}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${e(m.title)}</title><style nonce="${e(m.nonce)}">${CSS}</style></head>
<body>${parts.join('\n')}</body></html>`;
}

/** No script, no external resource: styles by nonce, images only from data: URLs. */
export function feedPageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
