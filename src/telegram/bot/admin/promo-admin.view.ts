import type { Gift } from '../../../payments/gifts/gift';
import type { PromoCode } from '../../../promo/promo-code';
import type { PromoStats, Redemption } from '../../../promo/promo-codes.repository';

/** Admin texts of /promo, /gifts and /gift (operators read English). */

const money = (minor: number, currency: string) =>
  currency === 'XTR' ? `${minor} ⭐` : `${(minor / 100).toFixed(2)} ${currency}`;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—');

export const PROMO_USAGE =
  'Usage:\n' +
  '/promo new <CODE> <kind> <value> [uses=N] [from=YYYY-MM-DD] [until=YYYY-MM-DD] [plans=1m,3m] [new] [first]\n' +
  '  kinds: days <n> | credit <amount> | discount <percent> | trial <days>\n' +
  '  new: new users only; first: first purchase only; until= includes that day (UTC)\n' +
  '/promo list, /promo <CODE> (redemptions), /promo off <CODE>';

function value(c: PromoCode, currency: string): string {
  switch (c.kind) {
    case 'days':
      return `+${c.value} days`;
    case 'credit':
      return `${money(c.value, currency)} credit`;
    case 'discount':
      return `${c.value}% off${c.planCodes ? ` (${c.planCodes.join(', ')})` : ''}`;
    case 'trial':
      return `${c.value}-day trial`;
  }
}

function limits(c: PromoCode): string {
  const parts = [
    `uses ${c.uses}/${c.maxUses ?? '∞'}`,
    c.startsAt ? `from ${day(c.startsAt)}` : '',
    c.endsAt ? `until ${day(c.endsAt)}` : '',
    c.newUsersOnly ? 'new users only' : '',
    c.firstPurchaseOnly ? 'first purchase only' : '',
  ];
  return parts.filter(Boolean).join(', ');
}

export const promoLine = (c: PromoCode, currency: string) =>
  `${c.active ? '🟢' : '⚪️'} ${c.code} — ${value(c, currency)}; ${limits(c)}`;

export const promoCreatedView = (c: PromoCode, currency: string) =>
  `✅ Created ${promoLine(c, currency)}\nLink: /start promo_${c.code}`;

export function promoListView(codes: PromoCode[], currency: string): string {
  return codes.length
    ? `🎟 Promo codes\n${codes.map((c) => promoLine(c, currency)).join('\n')}`
    : 'No promo codes yet.';
}

export function promoDetailsView(c: PromoCode, redemptions: Redemption[], currency: string): string {
  const rows = redemptions.map(
    (r) =>
      `  ${r.userId} at ${day(r.createdAt)}${c.kind === 'discount' ? ` — ${r.purchaseStatus ? `purchase ${r.purchaseStatus}` : 'not used yet'}` : ''}`,
  );
  return `${promoLine(c, currency)}\nCreated ${day(c.createdAt)}\n\nRedemptions (latest ${redemptions.length}):\n${rows.join('\n') || '  none'}`;
}

export const promoNotFound = (code: string) => `No promo code ${code}.`;
export const promoOffView = (code: string, r: 'off' | 'already_off') =>
  r === 'off'
    ? `⚪️ ${code} is switched off; redemptions made keep their effect.`
    : `${code} was off already.`;

export function promoStatsLines(s: PromoStats): string {
  const revenue = s.discountedRevenue30Days.length
    ? s.discountedRevenue30Days
        .map((r) => `  ${r.currency}: ${money(r.amountMinor, r.currency)} (${r.purchases} purchases)`)
        .join('\n')
    : '  none';
  return `Promo redemptions: ${s.redemptions} (30 days: ${s.redemptions30Days})\nDiscounted purchases, 30 days:\n${revenue}`;
}

const giftLine = (g: Gift) =>
  `${g.id} — ${g.planCode} (${g.days} d) from ${g.buyerId}: ${g.status}${g.recipientId ? ` by ${g.recipientId}` : ''}, ${g.status === 'open' ? `valid until ${day(g.expiresAt)}` : day(g.redeemedAt ?? g.refundedAt)}`;

export const giftsListView = (gifts: Gift[]) =>
  gifts.length ? `🎁 Gifts (latest ${gifts.length})\n${gifts.map(giftLine).join('\n')}` : 'No gifts yet.';

export const giftView = (g: Gift, currency: string) =>
  `${giftLine(g)}\nPurchase ${g.purchaseId}\nRefund value: ${money(g.refundMinor, currency)}${g.status === 'open' ? `\nRefund to the buyer's balance: /gift refund ${g.id}` : ''}`;

export const giftNotFound = (id: string) => `No gift ${id}.`;
export const giftRefundedView = (g: Gift, balanceAfter: number, currency: string) =>
  `↩️ Gift ${g.id} refunded: ${money(g.refundMinor, currency)} to ${g.buyerId}'s balance (now ${money(balanceAfter, currency)}).`;
export const giftNotRefundable = (g: Gift) =>
  `Gift ${g.id} is ${g.status}: only an open gift can be refunded.`;
