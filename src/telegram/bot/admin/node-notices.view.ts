/** Texts of the admins' VPN node notices (operators read English, whatever their Telegram language). */

type Payload = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function duration(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return 'unknown time';
  const m = Math.round(ms / 60_000);
  if (m < 1) return 'under a minute';
  if (m < 120) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}

const texts: Record<string, (p: Payload) => string> = {
  vpn_node_down: (p) =>
    `🔴 VPN node ${str(p.node)} is down: ${str(p.error).slice(0, 200) || 'no answer'}.\n` +
    'Its operations wait in its own lane; the other nodes keep serving. One more message when it is back.',
  vpn_node_up: (p) =>
    `🟢 VPN node ${str(p.node)} is back after ${duration(p.downMs)}; its queued operations are being delivered.`,
  vpn_node_full: (p) =>
    `🟠 VPN node ${str(p.node)} is full: ${String(p.users)} of ${String(p.capacity)} users. ` +
    'New subscriptions that may use other nodes go there; raise its capacity or add a node.',
};

/** The admin notice for a notifications-outbox row of an admin kind, or undefined for any other kind. */
export function renderAdminNotice(kind: string, payload: Payload): string | undefined {
  return texts[kind]?.(payload);
}
