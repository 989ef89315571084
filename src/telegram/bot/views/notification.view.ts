import { renderAdminNotice } from '../admin/node-notices.view';
import { CB } from './callback-data';
import { bytes, dateTime, esc as escapeHtml, money as formatMoney, t, toLang, type Lang } from './i18n';
import { GIFT_NOTICES, giftLinkButton } from './gift.view';
import { btn, menuButton } from './menu.view';

type Payload = Record<string, unknown>;
const isPayload = (v: unknown): v is Payload => typeof v === 'object' && v !== null && !Array.isArray(v);
const nodeLinks = (v: unknown): { label: string; link: string }[] =>
  Array.isArray(v)
    ? v.filter(
        (k): k is { label: string; link: string } =>
          isPayload(k) && typeof k.link === 'string' && typeof k.label === 'string',
      )
    : [];

// Same formats as every screen (UTC date and time, currency-aware money, Stars as "150 ⭐").
const date = (v: unknown, lang: Lang) =>
  typeof v === 'string' || typeof v === 'number' ? dateTime(new Date(v), lang) : '';
const money = (p: Payload, lang: Lang) =>
  typeof p.amountMinor === 'number' && typeof p.currency === 'string'
    ? formatMoney(p.amountMinor, p.currency, lang)
    : '';

/** The key `base` or, when the payload carries an amount, `<base>Amount`. */
const withAmount = (base: string, p: Payload, l: Lang, values: Record<string, string> = {}) => {
  const amount = money(p, l);
  return amount ? t(l, `${base}Amount`, { ...values, amount }) : t(l, base, values);
};

const traffic = (p: Payload, lang: Lang) =>
  typeof p.usedBytes === 'number' && typeof p.limitBytes === 'number'
    ? t(lang, 'traffic.usedOfLimit', { used: bytes(p.usedBytes, lang), limit: bytes(p.limitBytes, lang) })
    : '';

const texts: Record<string, (p: Payload, lang: Lang) => string> = {
  payment_received: (p, l) => withAmount('notify.paymentReceived', p, l, { until: date(p.expiresAt, l) }),
  topup_received: (p, l) => withAmount('notify.topupReceived', p, l),
  subscription_renewed: (p, l) => t(l, 'notify.renewed', { until: date(p.expiresAt, l) }),
  key_ready: (p, l) => {
    // A "payment received" notice merged into this one comes first, as it would have in its own message.
    const paid = isPayload(p.paid) ? `${texts.payment_received(p.paid, l)}\n\n` : '';
    if (typeof p.link !== 'string') return paid + t(l, 'notify.keyReady');
    const url =
      typeof p.subscriptionUrl === 'string' ? `\n\n${t(l, 'sub.url', { url: p.subscriptionUrl })}` : '';
    const links = nodeLinks(p.links);
    if (links.length > 1) {
      const list = links
        .map((k) => `${escapeHtml(k.label)}\n<code>${escapeHtml(k.link)}</code>`)
        .join('\n\n');
      return paid + t(l, 'notify.keyReadyLinks', { links: list }) + url;
    }
    return paid + t(l, 'notify.keyReadyLink', { link: p.link }) + url;
  },
  expiring_soon: (p, l) => t(l, 'notify.expiringSoon', { until: date(p.expiresAt, l) }),
  trial_ending: (p, l) => t(l, 'notify.trialEnding', { until: date(p.expiresAt, l) }),
  subscription_expired: (_p, l) => t(l, 'notify.expired'),
  renewal_failed_insufficient_funds: (_p, l) => t(l, 'notify.renewalFailed'),
  referral_reward: (p, l) => withAmount('notify.referralReward', p, l),
  refund_processed: (_p, l) => t(l, 'notify.refund'),
  ...GIFT_NOTICES,
  traffic_warning: (p, l) => t(l, 'notify.trafficWarning', { traffic: traffic(p, l) }),
  traffic_exhausted: (p, l) =>
    t(l, p.reset === 'monthly' ? 'notify.trafficExhaustedMonthly' : 'notify.trafficExhausted', {
      traffic: traffic(p, l),
    }),
};

/** The message text for a notifications-outbox row, in the user's language (English by default). */
export function renderNotification(kind: string, payload: Payload, language: string): string | undefined {
  const lang = toLang(language);
  return texts[kind]?.(payload, lang) ?? renderAdminNotice(kind, payload);
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
  traffic_warning: ['sub'],
  traffic_exhausted: ['plans'],
};

/** The inline keyboard under a notice (none for kinds that need no follow-up), with the main menu's buttons. */
export function notificationKeyboard(
  kind: string,
  language: string,
  opts: { qr?: boolean; giftId?: string } = {},
) {
  if (kind === 'gift_paid' && opts.giftId) return giftLinkButton(opts.giftId, toLang(language));
  const next = NEXT[kind];
  if (!next) return undefined;
  const lang = toLang(language);
  const row = next.map((k) => btn(menuButton(k, lang), CB[k]));
  // A notice that carries the key offers its QR code right there.
  if (opts.qr) return { inline_keyboard: [[btn(t(lang, 'button.qr'), CB.qr)], row] };
  return { inline_keyboard: [row] };
}
