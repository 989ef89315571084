import type { FailedOperation } from '../../../vpn/vpn-operations.repository';
import type { NodeOverview } from '../../../vpn/vpn-nodes.service';
import type { Purchase } from '../../../payments/purchase';
import type { Subscription } from '../../../subscriptions/subscription';
import type { AdminStats, UserProfile } from '../../../admin/admin.repository';
import type { Broadcast } from '../../../admin/broadcasts.repository';
import { ta } from '../../../i18n/translate';
import { promoStatsLines } from './promo-admin.view';

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
const kb = (...rows: [string, string][][]): Keyboard => ({
  inline_keyboard: rows.map((r) => r.map(([text, callback_data]) => ({ text, callback_data }))),
});

const money = (minor: number, currency: string) =>
  currency === 'XTR' ? `${minor} ⭐` : `${(minor / 100).toFixed(2)} ${currency}`;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—');
const yesNo = (v: boolean) => ta(v ? 'profile.yes' : 'profile.no');

const USAGE_KEYS = ['find', 'grant', 'block', 'unblock', 'retry', 'refund', 'broadcast'] as const;
/** Read at each access, so operator overrides apply. */
export const USAGE = Object.fromEntries(
  USAGE_KEYS.map((k) => [k, undefined] as const),
) as unknown as Readonly<Record<(typeof USAGE_KEYS)[number], string>>;
for (const k of USAGE_KEYS)
  Object.defineProperty(USAGE, k, { get: () => ta(`usage.${k}`), enumerable: true });

export function adminMenu(): { text: string; keyboard: Keyboard } {
  return {
    text: ta('menu.text'),
    keyboard: kb(
      [
        [ta('menu.stats'), 'adm:stats'],
        [ta('menu.failed'), 'adm:failed'],
      ],
      [[ta('menu.broadcasts'), 'adm:bc:list']],
    ),
  };
}

export function statsView(s: AdminStats): string {
  const revenue = s.revenue.length
    ? s.revenue
        .map((r) =>
          ta('stats.revenueLine', {
            currency: r.currency,
            today: money(r.todayMinor, r.currency),
            last30Days: money(r.last30DaysMinor, r.currency),
            payments: r.purchases30Days,
          }),
        )
        .join('\n')
    : ta('stats.noRevenue');
  const text = ta('stats.text', {
    users: s.users,
    blockedBot: s.blockedBot,
    banned: s.banned,
    activeSubscriptions: s.activeSubscriptions,
    activeTrials: s.activeTrials,
    revenue,
    backlog: s.provisioningBacklog,
    failed: s.failedOperations,
  });
  return s.promo ? `${text}\n${promoStatsLines(s.promo)}` : text;
}

export function profileView(p: UserProfile, sub: Subscription | null, balanceCurrency: string): string {
  const u = p.user;
  const subLine = sub
    ? ta('profile.subscription', {
        status: sub.status,
        trial: sub.isTrial ? ta('profile.trialMark') : '',
        until: day(sub.expiresAt),
        plan: sub.planCode ?? '—',
        autoRenew: ta(sub.autoRenew ? 'profile.on' : 'profile.off'),
      })
    : ta('profile.none');
  const purchases = p.purchases.length
    ? p.purchases
        .map((x) =>
          ta('profile.purchase', {
            id: x.id,
            kind: x.kind,
            plan: x.planCode ? ` ${x.planCode}` : '',
            amount: money(x.amountMinor, x.currency),
            provider: x.provider,
            status: x.status,
            date: day(x.paidAt ?? x.createdAt),
          }),
        )
        .join('\n')
    : ta('profile.purchasesNone');
  return ta('profile.text', {
    id: u.id,
    username: u.username ? ` (@${u.username})` : '',
    name: u.firstName ? ` ${u.firstName}` : '',
    language: u.languageCode,
    blockedBot: u.blockedAt ? ta('profile.yesSince', { date: day(u.blockedAt) }) : yesNo(false),
    banned: yesNo(u.isBanned),
    balance: money(u.balanceMinor, balanceCurrency),
    subscription: subLine,
    referrer: u.referrerId ? `${u.referrerId}${p.referrerUsername ? ` (@${p.referrerUsername})` : ''}` : '—',
    invited: p.invited,
    joined: day(u.createdAt),
    lastSeen: day(u.lastSeenAt),
    purchases,
  });
}

export const userNotFound = (ref: string) => ta('userNotFound', { ref });

export function grantView(r: { userId: number; days: number; issued: boolean; expiresAt: Date }): string {
  return ta(r.issued ? 'grant.newKey' : 'grant.sameKey', {
    days: r.days,
    userId: r.userId,
    until: day(r.expiresAt),
  });
}

export function banView(userId: number, banned: boolean, changed: boolean): string {
  if (!changed) return ta(banned ? 'ban.alreadyBlocked' : 'ban.alreadyUnblocked', { userId });
  return ta(banned ? 'ban.blocked' : 'ban.unblocked', { userId });
}

export const cannotBlockAdmin = (): string => ta('ban.cannotBlockAdmin');

export function failedView(ops: FailedOperation[]): { text: string; keyboard?: Keyboard } {
  if (ops.length === 0) return { text: ta('failed.none') };
  const lines = ops.map((o) =>
    ta('failed.line', {
      id: o.id,
      kind: o.kind,
      node: o.nodeCode,
      userId: o.userId,
      email: o.vpnEmail,
      attempts: o.attempts,
      date: day(o.updatedAt),
      error: (o.lastError ?? '').slice(0, 80),
    }),
  );
  return {
    text: fitMessage(ta('failed.head', { lines: lines.join('\n') })),
    keyboard: kb(
      ...ops
        .slice(0, 10)
        .map((o): [string, string][] => [[ta('failed.retry', { id: o.id }), `adm:retry:${o.id}`]]),
      [[ta('failed.retryAll'), 'adm:retry:all']],
    ),
  };
}

export function retryView(r: { requeued: { id: string; node: string }[]; refused: string[] }): string {
  if (r.requeued.length === 0 && r.refused.length === 0) return ta('retry.none');
  const parts = [];
  if (r.requeued.length) {
    const byNode = new Map<string, string[]>();
    for (const op of r.requeued) byNode.set(op.node, [...(byNode.get(op.node) ?? []), op.id]);
    const groups = [...byNode].map(([node, list]) => ta('retry.onNode', { ids: ids(list), node }));
    parts.push(ta('retry.requeued', { ids: groups.join('; ') }));
  }
  if (r.refused.length) parts.push(ta('retry.refused', { ids: ids(r.refused) }));
  return fitMessage(parts.join('\n'));
}

/** A few ids, then how many more: `/retry all` can touch hundreds. */
function ids(list: string[]): string {
  const shown = list.slice(0, 20).map((id) => `#${id}`);
  return list.length > shown.length
    ? ta('retry.andMore', { ids: shown.join(', '), more: list.length - shown.length })
    : shown.join(', ');
}

/** Telegram refuses messages over 4096 characters: cut with a marker instead of failing the command. */
export function fitMessage(text: string, max = 4096): string {
  return text.length <= max ? text : `${text.slice(0, max - 2)}\n…`;
}

export function refundConfirmView(p: Purchase): { text: string; keyboard: Keyboard } {
  return {
    text: ta('refund.confirm', {
      id: p.id,
      userId: p.userId,
      kind: p.kind,
      plan: p.planCode ? ` ${p.planCode}` : '',
      amount: money(p.amountMinor, p.currency),
      provider: p.provider,
      paid: day(p.paidAt),
      effect: ta(p.provider === 'stars' ? 'refund.effectStars' : 'refund.effectBalance'),
    }),
    keyboard: kb([
      [ta('refund.button'), `adm:rf:ok:${p.id}`],
      [ta('refund.cancelButton'), 'adm:rf:no'],
    ]),
  };
}

export const refundNotPossible = (p: Purchase) =>
  p.status !== 'paid'
    ? ta('refund.notPaid', { id: p.id, status: p.status })
    : ta('refund.atProvider', { id: p.id, provider: p.provider });

export function refundDoneView(r: {
  purchaseId: string;
  outcome: 'refunded' | 'already_refunded';
  starsReturned?: boolean;
  balanceAfter?: number | null;
  balanceCurrency: string;
}): string {
  const id = r.purchaseId;
  if (r.outcome === 'already_refunded')
    return ta(r.starsReturned ? 'refund.alreadyStarsReturned' : 'refund.already', { id });
  return (
    ta('refund.done', { id }) +
    (r.starsReturned !== undefined
      ? ta(r.starsReturned ? 'refund.starsReturned' : 'refund.starsReturnedBefore')
      : '') +
    (r.balanceAfter != null
      ? ta('refund.balanceNow', { balance: money(r.balanceAfter, r.balanceCurrency) })
      : '')
  );
}

export function broadcastView(b: Broadcast): { text: string; keyboard?: Keyboard } {
  return {
    text: ta('broadcast.view', {
      id: b.id,
      audience: ta(b.audience === 'all' ? 'broadcast.audienceAll' : 'broadcast.audienceActive'),
      state: ta(`broadcast.${b.status}`),
      sent: b.sent,
      failed: b.failed,
      text: b.text.length > 300 ? `${b.text.slice(0, 300)}…` : b.text,
    }),
    keyboard: b.status === 'running' ? kb([[ta('broadcast.stopButton'), `adm:bc:stop:${b.id}`]]) : undefined,
  };
}

export function broadcastListView(list: Broadcast[]): string {
  if (list.length === 0) return ta('broadcast.none', { usage: USAGE.broadcast });
  const lines = list.map((b) =>
    ta('broadcast.line', {
      id: b.id,
      audience: b.audience,
      status: b.status,
      sent: b.sent,
      failed: b.failed,
      date: day(b.createdAt),
    }),
  );
  return ta('broadcast.recent', { lines: lines.join('\n') });
}

export const broadcastNotFound = (id: string) => ta('broadcast.notFound', { id });
export const broadcastAlreadyFinished = (b: Broadcast) =>
  ta('broadcast.alreadyFinished', { id: b.id, status: b.status });

export const purchaseNotFound = (id: string) => ta('refund.purchaseNotFound', { id });
export const refundCancelled = (): string => ta('refund.cancelled');
export const unknownAdminButton = (): string => ta('unknownButton');

export const refundingToast = (): string => ta('refund.toast');
export const requeuedToast = (n: number) => ta('retry.toast', { requeued: n });
export const broadcastStopToast = (stopped: boolean) =>
  ta(stopped ? 'broadcast.stoppedToast' : 'broadcast.notRunningToast');

export const nodeUsage = (): string => ta('usage.node');

export function nodesView(nodes: NodeOverview[], down: ReadonlyMap<string, string>): string {
  if (nodes.length === 0) return ta('nodes.none');
  const icon = { active: '🟢', draining: '🟡', disabled: '⚫', retired: '🗄' } as const;
  const lines = nodes.map((n) =>
    ta('nodes.line', {
      icon: icon[n.state],
      code: n.code,
      name: n.name,
      state: n.state === 'retired' ? ta('nodes.retired') : n.state,
      users: n.capacity
        ? ta('nodes.usersOfCapacity', { users: n.users, capacity: n.capacity })
        : ta('nodes.users', { users: n.users }),
      backlog: n.backlog,
      failed: n.failed,
      unreachable: down.has(n.code)
        ? ta('nodes.unreachable', { reason: (down.get(n.code) ?? '').slice(0, 60) })
        : '',
      lastError: n.lastError ? ta('nodes.lastError', { error: n.lastError.slice(0, 80) }) : '',
    }),
  );
  return fitMessage(ta('nodes.head', { lines: lines.join('\n'), usage: nodeUsage() }));
}

export function nodeChangedView(code: string, state: string, found: boolean): string {
  if (!found || !['draining', 'disabled', 'active'].includes(state)) return ta('nodes.unknown', { code });
  return ta(`nodes.${state}`, { code });
}
