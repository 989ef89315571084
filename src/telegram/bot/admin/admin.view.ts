import type { FailedOperation } from '../../../vpn/vpn-operations.repository';
import type { NodeOverview } from '../../../vpn/vpn-nodes.service';
import type { Purchase } from '../../../payments/purchase';
import type { Subscription } from '../../../subscriptions/subscription';
import type { AdminStats, UserProfile } from '../../../admin/admin.repository';
import type { Broadcast } from '../../../admin/broadcasts.repository';

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
const kb = (...rows: [string, string][][]): Keyboard => ({
  inline_keyboard: rows.map((r) => r.map(([text, callback_data]) => ({ text, callback_data }))),
});

const money = (minor: number, currency: string) =>
  currency === 'XTR' ? `${minor} ⭐` : `${(minor / 100).toFixed(2)} ${currency}`;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—');

export const USAGE = {
  find: 'Usage: /find <telegram id | @username>',
  grant: 'Usage: /grant <telegram id> <days> (days: a whole number from 1 to 3650)',
  block: 'Usage: /block <telegram id>',
  unblock: 'Usage: /unblock <telegram id>',
  retry: 'Usage: /retry <operation id | all>',
  refund: 'Usage: /refund <purchase id> (the purchase uuid, as /find shows it)',
  broadcast:
    'Usage: /broadcast <all|active> <text>, or reply to a message with /broadcast <all|active>;\n' +
    '/broadcast stop <id>; /broadcast alone lists recent broadcasts.',
} as const;

export function adminMenu(): { text: string; keyboard: Keyboard } {
  return {
    text:
      '🛠 Admin\n\n' +
      '/stats — figures\n/find <id | @username> — a user\n/grant <id> <days> — give access\n' +
      '/block <id>, /unblock <id> — bot access\n/broadcast <all|active> <text> — message users\n' +
      '/failed — failed provisioning, /retry <id | all>\n/refund <purchase id>\n/nodes, /node <code> drain|disable|enable',
    keyboard: kb(
      [
        ['📊 Stats', 'adm:stats'],
        ['⚠️ Failed operations', 'adm:failed'],
      ],
      [['📣 Broadcasts', 'adm:bc:list']],
    ),
  };
}

export function statsView(s: AdminStats): string {
  const revenue = s.revenue.length
    ? s.revenue
        .map(
          (r) =>
            `  ${r.currency}: today ${money(r.todayMinor, r.currency)}, 30 days ${money(r.last30DaysMinor, r.currency)} (${r.purchases30Days} payments)`,
        )
        .join('\n')
    : '  none in the last 30 days';
  return (
    `📊 Stats\n` +
    `Users: ${s.users} (blocked the bot: ${s.blockedBot}, blocked by admin: ${s.banned})\n` +
    `Active subscriptions: ${s.activeSubscriptions}\n` +
    `Active trials: ${s.activeTrials}\n` +
    `Revenue (paid by providers, UTC day):\n${revenue}\n` +
    `Provisioning backlog: ${s.provisioningBacklog}\n` +
    `Failed operations: ${s.failedOperations}`
  );
}

export function profileView(p: UserProfile, sub: Subscription | null, balanceCurrency: string): string {
  const u = p.user;
  const subLine = sub
    ? `${sub.status}${sub.isTrial ? ' (trial)' : ''}, until ${day(sub.expiresAt)}, plan ${sub.planCode ?? '—'}, auto-renew ${sub.autoRenew ? 'on' : 'off'}`
    : 'none';
  const purchases = p.purchases.length
    ? p.purchases
        .map(
          (x) =>
            `  ${x.id} ${x.kind}${x.planCode ? ` ${x.planCode}` : ''} ${money(x.amountMinor, x.currency)} ${x.provider} ${x.status} ${day(x.paidAt ?? x.createdAt)}`,
        )
        .join('\n')
    : '  none';
  return (
    `👤 User ${u.id}${u.username ? ` (@${u.username})` : ''}${u.firstName ? ` ${u.firstName}` : ''}\n` +
    `Language: ${u.languageCode}\n` +
    `Blocked the bot: ${u.blockedAt ? `yes, since ${day(u.blockedAt)}` : 'no'}\n` +
    `Blocked by admin: ${u.isBanned ? 'yes' : 'no'}\n` +
    `Balance: ${money(u.balanceMinor, balanceCurrency)}\n` +
    `Subscription: ${subLine}\n` +
    `Referrer: ${u.referrerId ? `${u.referrerId}${p.referrerUsername ? ` (@${p.referrerUsername})` : ''}` : '—'}\n` +
    `Invited: ${p.invited}\n` +
    `Joined: ${day(u.createdAt)}, last seen: ${day(u.lastSeenAt)}\n` +
    `Last purchases:\n${purchases}`
  );
}

export const userNotFound = (ref: string) => `No user ${ref}.`;

export function grantView(r: { userId: number; days: number; issued: boolean; expiresAt: Date }): string {
  return (
    `✅ Granted ${r.days} days to ${r.userId}: access until ${day(r.expiresAt)}. ` +
    (r.issued ? 'A new key was issued.' : 'The key stays the same.')
  );
}

export function banView(userId: number, banned: boolean, changed: boolean): string {
  if (!changed) return `User ${userId} was already ${banned ? 'blocked' : 'unblocked'}.`;
  return banned
    ? `⛔ User ${userId} is blocked: the bot answers them only "access suspended".`
    : `✅ User ${userId} is unblocked.`;
}

export const cannotBlockAdmin = 'Admins cannot be blocked.';

export function failedView(ops: FailedOperation[]): { text: string; keyboard?: Keyboard } {
  if (ops.length === 0) return { text: '✅ No failed provisioning operations.' };
  const lines = ops.map(
    (o) =>
      `#${o.id} ${o.kind} on ${o.nodeCode} user ${o.userId} (${o.vpnEmail}), ${o.attempts} attempts, ${day(o.updatedAt)}\n   ${(o.lastError ?? '').slice(0, 80)}`,
  );
  return {
    text: fitMessage(`⚠️ Failed operations (newest first):\n${lines.join('\n')}`),
    keyboard: kb(
      ...ops.slice(0, 10).map((o): [string, string][] => [[`Retry #${o.id}`, `adm:retry:${o.id}`]]),
      [['Retry all', 'adm:retry:all']],
    ),
  };
}

export function retryView(r: { requeued: string[]; refused: string[] }): string {
  if (r.requeued.length === 0 && r.refused.length === 0) return 'No failed operations to retry.';
  const parts = [];
  if (r.requeued.length) parts.push(`🔁 Requeued: ${ids(r.requeued)}.`);
  if (r.refused.length)
    parts.push(`Not requeued (not failed, or superseded by a newer operation): ${ids(r.refused)}.`);
  return fitMessage(parts.join('\n'));
}

/** A few ids, then how many more: `/retry all` can touch hundreds. */
function ids(list: string[]): string {
  const shown = list.slice(0, 20).map((id) => `#${id}`);
  return list.length > shown.length
    ? `${shown.join(', ')} and ${list.length - shown.length} more`
    : shown.join(', ');
}

/** Telegram refuses messages over 4096 characters: cut with a marker instead of failing the command. */
export function fitMessage(text: string, max = 4096): string {
  return text.length <= max ? text : `${text.slice(0, max - 2)}\n…`;
}

export function refundConfirmView(p: Purchase): { text: string; keyboard: Keyboard } {
  return {
    text:
      `Refund purchase ${p.id}?\n` +
      `User ${p.userId}, ${p.kind}${p.planCode ? ` ${p.planCode}` : ''}, ${money(p.amountMinor, p.currency)} via ${p.provider}, paid ${day(p.paidAt)}.\n` +
      (p.provider === 'stars'
        ? 'The Stars go back to the user and the access or credit this purchase gave is taken back.'
        : 'The money goes back to the balance and the access this purchase gave is taken back.'),
    keyboard: kb([
      ['↩️ Refund', `adm:rf:ok:${p.id}`],
      ['Cancel', 'adm:rf:no'],
    ]),
  };
}

export const refundNotPossible = (p: Purchase) =>
  p.status !== 'paid'
    ? `Purchase ${p.id} is ${p.status}: only paid purchases can be refunded.`
    : `Purchase ${p.id} was paid via ${p.provider}: refund it at the provider; only Stars and balance purchases are refunded here.`;

export function refundDoneView(r: {
  purchaseId: string;
  outcome: 'refunded' | 'already_refunded';
  starsReturned?: boolean;
  balanceAfter?: number | null;
  balanceCurrency: string;
}): string {
  if (r.outcome === 'already_refunded')
    return r.starsReturned
      ? `↩️ Purchase ${r.purchaseId} was refunded already; Stars returned: yes (Telegram had not returned them before).`
      : `Purchase ${r.purchaseId} was refunded already.`;
  return (
    `↩️ Purchase ${r.purchaseId} refunded.` +
    (r.starsReturned !== undefined ? ` Stars returned: ${r.starsReturned ? 'yes' : 'already before'}.` : '') +
    (r.balanceAfter != null ? ` Balance now ${money(r.balanceAfter, r.balanceCurrency)}.` : '')
  );
}

export function broadcastView(b: Broadcast): { text: string; keyboard?: Keyboard } {
  const state = { running: '⏳ running', stopped: '⏹ stopped', done: '✅ done' }[b.status];
  return {
    text:
      `📣 Broadcast #${b.id} to ${b.audience === 'all' ? 'all users' : 'active subscribers'}: ${state}\n` +
      `Sent: ${b.sent}, failed: ${b.failed}\n\n${b.text.length > 300 ? `${b.text.slice(0, 300)}…` : b.text}`,
    keyboard: b.status === 'running' ? kb([['⏹ Stop', `adm:bc:stop:${b.id}`]]) : undefined,
  };
}

export function broadcastListView(list: Broadcast[]): string {
  if (list.length === 0) return `No broadcasts yet.\n\n${USAGE.broadcast}`;
  return (
    'Recent broadcasts:\n' +
    list
      .map(
        (b) => `#${b.id} ${b.audience} ${b.status}: sent ${b.sent}, failed ${b.failed} — ${day(b.createdAt)}`,
      )
      .join('\n')
  );
}

export const broadcastNotFound = (id: string) => `No broadcast #${id}.`;
export const broadcastAlreadyFinished = (b: Broadcast) => `Broadcast #${b.id} is already ${b.status}.`;

export const purchaseNotFound = (id: string) => `No purchase ${id}.`;
export const refundCancelled = 'Refund cancelled; nothing changed.';
export const unknownAdminButton = 'Unknown admin button.';

export const refundingToast = 'Refunding…';
export const requeuedToast = (n: number) => `Requeued ${n}`;
export const broadcastStopToast = (stopped: boolean) => (stopped ? 'Stopped' : 'Not running');

export const nodeUsage = 'Usage: /node <code> drain|disable|enable';

export function nodesView(nodes: NodeOverview[], down: ReadonlyMap<string, string>): string {
  if (nodes.length === 0) return 'No VPN nodes.';
  const icon = { active: '🟢', draining: '🟡', disabled: '⚫' } as const;
  const lines = nodes.map((n) => {
    const reach = down.has(n.code) ? `, ❌ unreachable: ${(down.get(n.code) ?? '').slice(0, 60)}` : '';
    const err = n.lastError ? `\n   last error: ${n.lastError.slice(0, 80)}` : '';
    return `${icon[n.state]} ${n.code} (${n.name}) ${n.state}: ${n.users} users, backlog ${n.backlog}, failed ${n.failed}${reach}${err}`;
  });
  return fitMessage(`VPN nodes:\n${lines.join('\n')}\n\n${nodeUsage}`);
}

export function nodeChangedView(code: string, state: string, found: boolean): string {
  if (!found) return `Unknown node ${code}.`;
  const what = {
    draining: 'gets no new keys and is left out of feeds; its keys stay until they expire',
    disabled: 'is left out of feeds and its keys are being removed',
    active: 'is active again; missing keys are being added',
  }[state];
  return `Node ${code} ${what}.`;
}
