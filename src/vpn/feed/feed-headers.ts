import type { FeedFormat } from './feed-format';
import type { FeedBlock } from './feed-texts';
import { blockedReason } from './feed-texts';
import type { Usage } from './subscription-usage';

const CONTENT_TYPES: Record<FeedFormat, string> = {
  base64: 'text/plain; charset=utf-8',
  clash: 'text/yaml; charset=utf-8',
  singbox: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};
const EXTENSIONS: Record<FeedFormat, string> = {
  base64: 'txt',
  clash: 'yaml',
  singbox: 'json',
  html: 'html',
};

const b64 = (s: string) => `base64:${Buffer.from(s).toString('base64')}`;

export interface FeedHeaderInput {
  format: FeedFormat;
  title: string;
  expiresAt: Date;
  usage: Usage;
  updateHours: number;
  block?: FeedBlock;
  announce?: string;
  pageUrl?: string;
  supportUrl?: string;
  hwid?: { refused: boolean };
}

/** Header conventions of Marzban, 3x-ui and Remnawave, which the popular clients read. */
export function feedHeaders(i: FeedHeaderInput): Record<string, string> {
  const expire = Math.floor(i.expiresAt.getTime() / 1000);
  const h: Record<string, string> = {
    'content-type': CONTENT_TYPES[i.format],
    'cache-control': 'no-store, private',
    'x-content-type-options': 'nosniff',
    'subscription-userinfo': `upload=${i.usage.upload}; download=${i.usage.download}; total=${i.usage.total ?? 0}; expire=${expire}`,
    'profile-title': b64(i.title),
    'profile-update-interval': String(i.updateHours),
    'x-subscription-status': i.block ? blockedReason(i.block) : 'active',
  };
  if (i.format !== 'html') {
    // An ASCII fallback name for old clients; filename* carries the real (UTF-8) title, which Clash shows.
    const ascii = i.title.replace(/[^\x20-\x7e]|["\\]/g, '').trim() || 'vpn';
    const ext = EXTENSIONS[i.format];
    h['content-disposition'] =
      `attachment; filename="${ascii}.${ext}"; filename*=UTF-8''${encodeURIComponent(`${i.title}.${ext}`)}`;
  }
  if (i.pageUrl) h['profile-web-page-url'] = i.pageUrl;
  if (i.supportUrl) h['support-url'] = i.supportUrl;
  if (i.announce) h.announce = b64(i.announce);
  if (i.hwid) {
    h['x-hwid-active'] = 'true';
    if (i.hwid.refused) {
      h['x-hwid-limit'] = 'true';
      h['x-hwid-max-devices-reached'] = 'true';
    }
  }
  return h;
}
