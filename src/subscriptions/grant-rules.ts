import { randomBytes, randomUUID } from 'node:crypto';

const DAY_MS = 86_400_000;

/** A renewal extends from the later of now and the current expiry: paid days are never lost or doubled. */
export function extendExpiry(now: Date, currentExpiry: Date | null, days: number): Date {
  const base = currentExpiry && currentExpiry > now ? currentExpiry : now;
  return new Date(base.getTime() + days * DAY_MS);
}

export function shortenExpiry(currentExpiry: Date, days: number): Date {
  return new Date(currentExpiry.getTime() - days * DAY_MS);
}

export function vpnEmailFor(telegramId: number, domain: string): string {
  return `u${telegramId}@${domain}`.toLowerCase();
}

export function newVpnUuid(): string {
  return randomUUID();
}

/** 192 random bits, URL-safe: the subscription URL is the only secret protecting the key. */
export function newSubToken(): string {
  return randomBytes(24).toString('base64url');
}
