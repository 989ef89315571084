import { LANGS, type Lang } from '../../../i18n/langs';

/** Telegram allows 1–64 bytes. Handlers validate ids again: a stale or forged button may carry anything. */
export const CB = {
  menu: 'menu',
  help: 'help',
  lang: 'lang',
  setLang: (l: Lang) => `lang:${l}`,
  trial: 'trial',
  trialCheck: 'trial:check',
  plans: 'plans',
  plan: (code: string) => `plan:${code}`,
  payBalance: (code: string) => `pb:${code}`,
  payBalanceConfirm: (code: string, nonce: string) => `pbok:${code}:${nonce}`,
  payCrypto: (code: string) => `pc:${code}`,
  payStars: (code: string) => `ps:${code}`,
  sub: 'sub',
  qr: 'sub:qr',
  /** The QR code of one node's link, from the node picker. */
  qrNode: (node: string) => `sub:qr:${node}`,
  guide: 'sub:apps',
  reissue: 'sub:re',
  reissueConfirm: 'sub:re:ok',
  autoRenew: (on: boolean) => `sub:ar:${on ? 1 : 0}`,
  devices: 'sub:dev',
  deviceRemove: (key: string) => `sub:dev:rm:${key}`,
  balance: 'bal',
  topup: (minor: number) => `tu:${minor}`,
  topupCustom: 'tu:custom',
  topupCrypto: (minor: number) => `tc:${minor}`,
  topupStars: (minor: number) => `ts:${minor}`,
  referrals: 'ref',
  promo: 'promo',
  gift: 'gift',
  giftPlan: (code: string) => `gp:${code}`,
  giftBalance: (code: string) => `gpb:${code}`,
  giftBalanceConfirm: (code: string, nonce: string) => `gpbok:${code}:${nonce}`,
  giftCrypto: (code: string) => `gpc:${code}`,
  giftStars: (code: string) => `gps:${code}`,
  giftLink: (giftId: string) => `gl:${giftId}`,
} as const;

const PLAN = '([a-z0-9][a-z0-9_-]{0,31})';
const MINOR = '([1-9]\\d{0,11})';

export const CB_PATTERN = {
  setLang: new RegExp(`^lang:(${LANGS.join('|')})$`),
  plan: new RegExp(`^plan:${PLAN}$`),
  payBalance: new RegExp(`^pb:${PLAN}$`),
  payBalanceConfirm: new RegExp(`^pbok:${PLAN}:([A-Za-z0-9_-]{8,16})$`),
  payCrypto: new RegExp(`^pc:${PLAN}$`),
  payStars: new RegExp(`^ps:${PLAN}$`),
  autoRenew: /^sub:ar:([01])$/,
  deviceRemove: /^sub:dev:rm:([A-Za-z0-9_-]{12})$/,
  qrNode: /^sub:qr:([a-z0-9][a-z0-9_-]{0,31})$/,
  topup: new RegExp(`^tu:${MINOR}$`),
  topupCrypto: new RegExp(`^tc:${MINOR}$`),
  topupStars: new RegExp(`^ts:${MINOR}$`),
  giftPlan: new RegExp(`^gp:${PLAN}$`),
  giftBalance: new RegExp(`^gpb:${PLAN}$`),
  giftBalanceConfirm: new RegExp(`^gpbok:${PLAN}:([A-Za-z0-9_-]{8,16})$`),
  giftCrypto: new RegExp(`^gpc:${PLAN}$`),
  giftStars: new RegExp(`^gps:${PLAN}$`),
  giftLink: /^gl:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
} as const;

export const ADMIN_CALLBACK_PREFIX = 'adm:';

export const ADMIN_COMMANDS: ReadonlySet<string> = new Set([
  'admin',
  'find',
  'grant',
  'block',
  'unblock',
  'broadcast',
  'failed',
  'retry',
  'refund',
  'stats',
  'promo',
  'gifts',
  'gift',
  'nodes',
  'node',
]);

export function parseMinor(raw: string | undefined): number | undefined {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
