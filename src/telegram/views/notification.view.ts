import type { InlineKeyboardButton } from 'telegraf/types';
import { CB } from './callback-data';

type Lang = 'en' | 'ru';
type Payload = Record<string, unknown>;

const date = (v: unknown, lang: Lang) =>
  typeof v === 'string' || typeof v === 'number'
    ? new Date(v).toLocaleDateString(lang === 'ru' ? 'ru-RU' : 'en-GB')
    : '';
const money = (p: Payload) =>
  typeof p.amountMinor === 'number' && typeof p.currency === 'string'
    ? `${(p.amountMinor / 100).toFixed(2)} ${p.currency}`
    : '';

const texts: Record<string, Record<Lang, (p: Payload, lang: Lang) => string>> = {
  payment_received: {
    en: (p, l) =>
      `✅ Payment received${money(p) ? `: ${money(p)}` : ''}. Your VPN access is active until ${date(p.expiresAt, l)}.`,
    ru: (p, l) =>
      `✅ Оплата получена${money(p) ? `: ${money(p)}` : ''}. Доступ к VPN активен до ${date(p.expiresAt, l)}.`,
  },
  topup_received: {
    en: (p) => `✅ Balance topped up${money(p) ? ` by ${money(p)}` : ''}.`,
    ru: (p) => `✅ Баланс пополнен${money(p) ? ` на ${money(p)}` : ''}.`,
  },
  subscription_renewed: {
    en: (p, l) => `🔄 Subscription renewed until ${date(p.expiresAt, l)}. Your key stays the same.`,
    ru: (p, l) => `🔄 Подписка продлена до ${date(p.expiresAt, l)}. Ключ остаётся прежним.`,
  },
  key_ready: {
    en: () => '🔑 Your VPN key is ready. Open "My subscription" to get the link and QR code.',
    ru: () => '🔑 Ваш VPN-ключ готов. Откройте «Моя подписка», чтобы получить ссылку и QR-код.',
  },
  expiring_soon: {
    en: (p, l) => `⏳ Your subscription ends on ${date(p.expiresAt, l)}. Renew it to keep your access.`,
    ru: (p, l) => `⏳ Подписка заканчивается ${date(p.expiresAt, l)}. Продлите её, чтобы не потерять доступ.`,
  },
  trial_ending: {
    en: (p, l) => `⏳ Your free trial ends on ${date(p.expiresAt, l)}. Choose a plan to keep your access.`,
    ru: (p, l) =>
      `⏳ Пробный период заканчивается ${date(p.expiresAt, l)}. Выберите тариф, чтобы сохранить доступ.`,
  },
  subscription_expired: {
    en: () => '⛔ Your subscription has ended and the key no longer works. Renew to get access back.',
    ru: () => '⛔ Подписка закончилась, ключ больше не работает. Продлите подписку, чтобы вернуть доступ.',
  },
  renewal_failed_insufficient_funds: {
    en: () => '⚠️ Auto-renewal failed: not enough balance. Top up to keep your access.',
    ru: () => '⚠️ Автопродление не удалось: недостаточно средств на балансе. Пополните баланс.',
  },
  referral_reward: {
    en: (p) => `🎁 You earned ${money(p) || 'a reward'} for a friend's purchase.`,
    ru: (p) => `🎁 Вы получили ${money(p) || 'вознаграждение'} за покупку друга.`,
  },
  refund_processed: {
    en: () => '↩️ Your payment was refunded.',
    ru: () => '↩️ Платёж возвращён.',
  },
};

/** The message text for a notifications-outbox row, in the user's language (English by default). */
export function renderNotification(kind: string, payload: Payload, language: string): string | undefined {
  const lang: Lang = language.startsWith('ru') ? 'ru' : 'en';
  return texts[kind]?.[lang](payload, lang);
}

const LABELS: Record<'sub' | 'renew' | 'topup', Record<Lang, string>> = {
  sub: { en: '🔑 My subscription', ru: '🔑 Моя подписка' },
  renew: { en: '🛒 Renew', ru: '🛒 Продлить' },
  topup: { en: '💰 Top up', ru: '💰 Пополнить' },
};

/** What the user most likely wants to do next after each notice: one tap instead of /menu and a search. */
const NEXT: Record<string, (keyof typeof LABELS)[]> = {
  payment_received: ['sub'],
  subscription_renewed: ['sub'],
  key_ready: ['sub'],
  expiring_soon: ['renew'],
  trial_ending: ['renew'],
  subscription_expired: ['renew'],
  renewal_failed_insufficient_funds: ['topup', 'renew'],
};
const DATA: Record<keyof typeof LABELS, string> = { sub: CB.sub, renew: CB.plans, topup: CB.balance };

/** The inline keyboard under a notice (none for kinds that need no follow-up). */
export function notificationKeyboard(
  kind: string,
  language: string,
): { inline_keyboard: InlineKeyboardButton[][] } | undefined {
  const lang: Lang = language.startsWith('ru') ? 'ru' : 'en';
  const next = NEXT[kind];
  if (!next) return undefined;
  return { inline_keyboard: [next.map((k) => ({ text: LABELS[k][lang], callback_data: DATA[k] }))] };
}
