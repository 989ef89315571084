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
  guide: 'sub:apps',
  reissue: 'sub:re',
  reissueConfirm: 'sub:re:ok',
  autoRenew: (on: boolean) => `sub:ar:${on ? 1 : 0}`,
  balance: 'bal',
  topup: (minor: number) => `tu:${minor}`,
  topupCustom: 'tu:custom',
  topupCrypto: (minor: number) => `tc:${minor}`,
  topupStars: (minor: number) => `ts:${minor}`,
  referrals: 'ref',
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
  topup: new RegExp(`^tu:${MINOR}$`),
  topupCrypto: new RegExp(`^tc:${MINOR}$`),
  topupStars: new RegExp(`^ts:${MINOR}$`),
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
]);

export function parseMinor(raw: string | undefined): number | undefined {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
