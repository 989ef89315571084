export const feedFormats = ['base64', 'clash', 'singbox', 'html'] as const;
export type FeedFormat = (typeof feedFormats)[number];

/** An explicit ?format= that is not one of feedFormats (answered 400 with the list, never guessed). */
export class UnknownFeedFormatError extends Error {
  constructor(readonly given: string) {
    super(`unknown format "${given.slice(0, 32)}": use one of ${feedFormats.join(', ')}`);
  }
}

/** First match wins: multi-format clients mention Clash in their UA, so base64 and sing-box go first. */
const uaRules: [RegExp, FeedFormat][] = [
  [/\b(hiddify\w*|v2rayng?|shadowrocket|streisand|happ|v2box|nekobox|nekoray|npvtunnel|foxray)\b/i, 'base64'],
  [/(^|[\s/(;])(sing-box|sfa|sfi|sfm|sft|karing)\b/i, 'singbox'],
  [/(clash|mihomo|stash|flclash|flyclash|nyanpasu)/i, 'clash'],
];

const aliases: Record<string, FeedFormat> = {
  base64: 'base64',
  v2ray: 'base64',
  links: 'base64',
  clash: 'clash',
  mihomo: 'clash',
  singbox: 'singbox',
  'sing-box': 'singbox',
  html: 'html',
};

/** ?format= wins; then a known client by User-Agent; then a browser (Accept: text/html); else base64. */
export function detectFeedFormat(req: { format?: string; userAgent?: string; accept?: string }): FeedFormat {
  if (req.format !== undefined) {
    const f = aliases[req.format.toLowerCase()];
    if (!f) throw new UnknownFeedFormatError(req.format);
    return f;
  }
  const ua = req.userAgent ?? '';
  for (const [re, format] of uaRules) if (re.test(ua)) return format;
  if (/\btext\/html\b/i.test(req.accept ?? '')) return 'html';
  return 'base64';
}
