import type { BroadcastAudience } from '../../../admin/broadcast.entity';

const MAX_GRANT_DAYS = 3650;
const MAX_BROADCAST_CHARS = 4096;

export function commandArgs(text: string | undefined): string[] {
  return (text ?? '').trim().split(/\s+/).slice(1).filter(Boolean);
}

export function parseTelegramId(arg: string | undefined): number | null {
  if (!arg || !/^\d{1,15}$/.test(arg)) return null;
  const id = Number(arg);
  return id > 0 ? id : null;
}

export type UserRef = { id: number } | { username: string };

/** A numeric Telegram id or an @username (the @ is required so a typo in an id is not read as a name). */
export function parseUserRef(arg: string | undefined): UserRef | null {
  if (!arg) return null;
  const id = parseTelegramId(arg);
  if (id !== null) return { id };
  const m = /^@([A-Za-z0-9_]{3,32})$/.exec(arg);
  return m ? { username: m[1] } : null;
}

export function parseDays(arg: string | undefined): number | null {
  if (!arg || !/^\d{1,4}$/.test(arg)) return null;
  const days = Number(arg);
  return days >= 1 && days <= MAX_GRANT_DAYS ? days : null;
}

export function parseGrant(args: string[]): { userId: number; days: number } | null {
  if (args.length !== 2) return null;
  const userId = parseTelegramId(args[0]);
  const days = parseDays(args[1]);
  return userId !== null && days !== null ? { userId, days } : null;
}

export function parseRetry(args: string[]): { all: true } | { id: string } | null {
  if (args.length !== 1) return null;
  if (args[0].toLowerCase() === 'all') return { all: true };
  return /^\d{1,18}$/.test(args[0]) && !/^0+$/.test(args[0]) ? { id: args[0] } : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parsePurchaseId(args: string[]): string | null {
  return args.length === 1 && UUID.test(args[0]) ? args[0].toLowerCase() : null;
}

export type BroadcastCommand =
  | { kind: 'start'; audience: BroadcastAudience; text: string }
  | { kind: 'stop'; id: string }
  | { kind: 'list' };

/** As a reply, `/broadcast <all|active>` sends the replied message's text; line breaks are kept. */
export function parseBroadcast(text: string | undefined, repliedText?: string): BroadcastCommand | null {
  const m = /^\/broadcast(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec((text ?? '').trim());
  if (!m) return null;
  const rest = (m[1] ?? '').trim();
  if (rest === '') return { kind: 'list' };
  const stop = /^stop\s+(\d{1,18})$/i.exec(rest);
  if (stop) return { kind: 'stop', id: stop[1] };
  const start = /^(all|active)(?:\s+([\s\S]+))?$/i.exec(rest);
  if (!start) return null;
  const body = (start[2] ?? repliedText ?? '').trim();
  if (body === '' || body.length > MAX_BROADCAST_CHARS) return null;
  return { kind: 'start', audience: start[1].toLowerCase() as BroadcastAudience, text: body };
}
