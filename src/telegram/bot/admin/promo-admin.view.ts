import type { Gift } from '../../../payments/gifts/gift';
import type { PromoCode } from '../../../promo/promo-code';
import type { PromoStats, Redemption } from '../../../promo/promo-codes.repository';
import { ta } from '../../../i18n/translate';

/** Admin replies of /promo, /gifts and /gift; texts are `admin.json` keys (operators read English). */

const money = (minor: number, currency: string) =>
  currency === 'XTR' ? `${minor} ⭐` : `${(minor / 100).toFixed(2)} ${currency}`;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—');

export const promoUsage = (): string => ta('usage.promo');

function value(c: PromoCode, currency: string): string {
  switch (c.kind) {
    case 'days':
      return ta('promo.valueDays', { value: c.value });
    case 'credit':
      return ta('promo.valueCredit', { amount: money(c.value, currency) });
    case 'discount':
      return ta('promo.valueDiscount', {
        value: c.value,
        plans: c.planCodes ? ` (${c.planCodes.join(', ')})` : '',
      });
    case 'trial':
      return ta('promo.valueTrial', { value: c.value });
  }
}

function limits(c: PromoCode): string {
  const parts = [
    ta('promo.uses', { uses: c.uses, max: c.maxUses ?? '∞' }),
    c.startsAt ? ta('promo.from', { date: day(c.startsAt) }) : '',
    c.endsAt ? ta('promo.until', { date: day(c.endsAt) }) : '',
    c.newUsersOnly ? ta('promo.newUsersOnly') : '',
    c.firstPurchaseOnly ? ta('promo.firstPurchaseOnly') : '',
  ];
  return parts.filter(Boolean).join(', ');
}

export const promoLine = (c: PromoCode, currency: string) =>
  ta('promo.line', {
    icon: c.active ? '🟢' : '⚪️',
    code: c.code,
    value: value(c, currency),
    limits: limits(c),
  });

export const promoCreatedView = (c: PromoCode, currency: string) =>
  ta('promo.created', { line: promoLine(c, currency), code: c.code });

export function promoListView(codes: PromoCode[], currency: string): string {
  return codes.length
    ? ta('promo.list', { lines: codes.map((c) => promoLine(c, currency)).join('\n') })
    : ta('promo.none');
}

export function promoDetailsView(c: PromoCode, redemptions: Redemption[], currency: string): string {
  const rows = redemptions.map((r) =>
    ta('promo.redemption', {
      userId: r.userId,
      date: day(r.createdAt),
      purchase:
        c.kind !== 'discount'
          ? ''
          : r.purchaseStatus
            ? ta('promo.redemptionPurchase', { status: r.purchaseStatus })
            : ta('promo.redemptionUnused'),
    }),
  );
  return ta('promo.details', {
    line: promoLine(c, currency),
    created: day(c.createdAt),
    latest: redemptions.length,
    rows: rows.join('\n') || ta('promo.redemptionsNone'),
  });
}

export const promoNotFound = (code: string) => ta('promo.notFound', { code });
export const promoOffView = (code: string, r: 'off' | 'already_off') =>
  ta(r === 'off' ? 'promo.off' : 'promo.alreadyOff', { code });
export const promoRefusedView = (error: string) => ta('promo.refused', { error, usage: promoUsage() });

export function promoStatsLines(s: PromoStats): string {
  const revenue = s.discountedRevenue30Days.length
    ? s.discountedRevenue30Days
        .map((r) =>
          ta('promo.statsRevenueLine', {
            currency: r.currency,
            amount: money(r.amountMinor, r.currency),
            purchases: r.purchases,
          }),
        )
        .join('\n')
    : ta('promo.statsRevenueNone');
  return ta('promo.stats', { redemptions: s.redemptions, last30Days: s.redemptions30Days, revenue });
}

const giftLine = (g: Gift) =>
  ta('gifts.line', {
    id: g.id,
    plan: g.planCode,
    days: g.days,
    buyer: g.buyerId,
    status: g.status,
    by: g.recipientId ? ta('gifts.by', { recipient: g.recipientId }) : '',
    when:
      g.status === 'open'
        ? ta('gifts.validUntil', { date: day(g.expiresAt) })
        : day(g.redeemedAt ?? g.refundedAt),
  });

export const giftsListView = (gifts: Gift[]) =>
  gifts.length
    ? ta('gifts.list', { latest: gifts.length, lines: gifts.map(giftLine).join('\n') })
    : ta('gifts.none');

export const giftView = (g: Gift, currency: string) =>
  ta('gifts.view', {
    line: giftLine(g),
    purchase: g.purchaseId,
    refund: money(g.refundMinor, currency),
    refundHint: g.status === 'open' ? ta('gifts.refundHint', { id: g.id }) : '',
  });

export const giftNotFound = (id: string) => ta('gifts.notFound', { id });
export const giftRefundedView = (g: Gift, balanceAfter: number, currency: string) =>
  ta('gifts.refunded', {
    id: g.id,
    amount: money(g.refundMinor, currency),
    buyer: g.buyerId,
    balance: money(balanceAfter, currency),
  });
export const giftNotRefundable = (g: Gift) => ta('gifts.notRefundable', { id: g.id, status: g.status });
