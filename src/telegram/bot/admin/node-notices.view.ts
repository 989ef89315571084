import { ta } from '../../../i18n/translate';

/** Texts of the admins' VPN node notices (`admin.json`: operators read English, whatever their language). */

type Payload = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function duration(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return ta('nodeNotice.unknownTime');
  const m = Math.round(ms / 60_000);
  if (m < 1) return ta('nodeNotice.underMinute');
  if (m < 120) return ta('nodeNotice.minutes', { m });
  return ta('nodeNotice.hours', { h: Math.round(m / 60) });
}

const texts: Record<string, (p: Payload) => string> = {
  vpn_node_down: (p) =>
    ta('nodeNotice.down', {
      node: str(p.node),
      error: str(p.error).slice(0, 200) || ta('nodeNotice.noAnswer'),
    }),
  vpn_node_up: (p) => ta('nodeNotice.up', { node: str(p.node), after: duration(p.downMs) }),
  vpn_node_full: (p) =>
    ta('nodeNotice.full', { node: str(p.node), users: String(p.users), capacity: String(p.capacity) }),
};

/** The admin notice for a notifications-outbox row of an admin kind, or undefined for any other kind. */
export function renderAdminNotice(kind: string, payload: Payload): string | undefined {
  return texts[kind]?.(payload);
}
