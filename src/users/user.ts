/** A user as the rules see it (row of `users`). Money is in minor units of the balance currency. */
export interface User {
  id: number;
  username: string | null;
  firstName: string | null;
  languageCode: string;
  balanceMinor: number;
  referrerId: number | null;
  trialUsedAt: Date | null;
  blockedAt: Date | null;
  isBanned: boolean;
  lastSeenAt: Date | null;
  createdAt: Date;
}

export interface UserRow {
  id: string;
  username: string | null;
  first_name: string | null;
  language_code: string;
  balance_minor: string;
  referrer_id: string | null;
  trial_used_at: Date | null;
  blocked_at: Date | null;
  is_banned: boolean;
  last_seen_at: Date | null;
  created_at: Date;
}

export function toUser(r: UserRow): User {
  return {
    id: Number(r.id),
    username: r.username,
    firstName: r.first_name,
    languageCode: r.language_code,
    balanceMinor: Number(r.balance_minor),
    referrerId: r.referrer_id === null ? null : Number(r.referrer_id),
    trialUsedAt: r.trial_used_at,
    blockedAt: r.blocked_at,
    isBanned: r.is_banned,
    lastSeenAt: r.last_seen_at,
    createdAt: r.created_at,
  };
}

export const USER_COLUMNS = `id, username, first_name, language_code, balance_minor, referrer_id, trial_used_at, blocked_at,
  is_banned, last_seen_at, created_at`;
