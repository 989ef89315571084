import { CB } from './callback-data';
import { dateTime, esc, money as formatMoney, toLang, type Lang } from './i18n';
import { btn, MENU_BUTTONS } from './menu.view';

type Payload = Record<string, unknown>;

// Same formats as every screen (UTC date and time, currency-aware money, Stars as "150 ⭐").
const date = (v: unknown, lang: Lang) =>
  typeof v === 'string' || typeof v === 'number' ? dateTime(new Date(v), lang) : '';
const money = (p: Payload, lang: Lang) =>
  typeof p.amountMinor === 'number' && typeof p.currency === 'string'
    ? formatMoney(p.amountMinor, p.currency, lang)
    : '';

const subUrl = (p: Payload, label: string) =>
  typeof p.subscriptionUrl === 'string' ? `\n\n${label}\n<code>${esc(p.subscriptionUrl)}</code>` : '';

const texts: Record<string, Record<Lang, (p: Payload, lang: Lang) => string>> = {
  payment_received: {
    en: (p, l) =>
      `✅ Payment received${money(p, l) ? `: ${money(p, l)}` : ''}. Your VPN access is active until ${date(p.expiresAt, l)}.`,
    ru: (p, l) =>
      `✅ Оплата получена${money(p, l) ? `: ${money(p, l)}` : ''}. Доступ к VPN активен до ${date(p.expiresAt, l)}.`,
  },
  topup_received: {
    en: (p, l) => `✅ Balance topped up${money(p, l) ? ` by ${money(p, l)}` : ''}.`,
    ru: (p, l) => `✅ Баланс пополнен${money(p, l) ? ` на ${money(p, l)}` : ''}.`,
  },
  subscription_renewed: {
    en: (p, l) => `🔄 Subscription renewed until ${date(p.expiresAt, l)}. Your key stays the same.`,
    ru: (p, l) => `🔄 Подписка продлена до ${date(p.expiresAt, l)}. Ключ остаётся прежним.`,
  },
  key_ready: {
    en: (p) =>
      typeof p.link === 'string'
        ? `🔑 Your VPN key is ready. Tap the link to copy it into your VPN app, or use the QR code:\n\n<code>${esc(p.link)}</code>${subUrl(p, 'Subscription URL (updates itself):')}`
        : '🔑 Your VPN key is ready. Open "My subscription" to get the link and QR code.',
    ru: (p) =>
      typeof p.link === 'string'
        ? `🔑 Ваш VPN-ключ готов. Нажмите на ссылку, чтобы скопировать её в VPN-приложение, или используйте QR-код:\n\n<code>${esc(p.link)}</code>${subUrl(p, 'Ссылка-подписка (обновляется сама):')}`
        : '🔑 Ваш VPN-ключ готов. Откройте «Моя подписка», чтобы получить ссылку и QR-код.',
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
    en: (p, l) => `🎁 You earned ${money(p, l) || 'a reward'} for a friend's purchase.`,
    ru: (p, l) => `🎁 Вы получили ${money(p, l) || 'вознаграждение'} за покупку друга.`,
  },
  refund_processed: {
    en: () => '↩️ Your payment was refunded.',
    ru: () => '↩️ Платёж возвращён.',
  },
};

export function renderNotification(kind: string, payload: Payload, language: string): string | undefined {
  const lang = toLang(language);
  return texts[kind]?.[lang](payload, lang);
}

/** What the user most likely wants to do next after each notice: one tap instead of /menu and a search. */
const NEXT: Record<string, ('sub' | 'plans' | 'balance')[]> = {
  payment_received: ['sub'],
  subscription_renewed: ['sub'],
  key_ready: ['sub'],
  expiring_soon: ['plans'],
  trial_ending: ['plans'],
  subscription_expired: ['plans'],
  renewal_failed_insufficient_funds: ['balance', 'plans'],
};

export function notificationKeyboard(kind: string, language: string, opts: { qr?: boolean } = {}) {
  const next = NEXT[kind];
  if (!next) return undefined;
  const lang = toLang(language);
  const labels = MENU_BUTTONS[lang];
  const row = next.map((k) => btn(labels[k], CB[k]));
  // A notice that carries the key offers its QR code right there.
  if (opts.qr) return { inline_keyboard: [[btn(lang === 'ru' ? '📷 QR-код' : '📷 QR code', CB.qr)], row] };
  return { inline_keyboard: [row] };
}
