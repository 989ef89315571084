import { describe, expect, it } from 'vitest';
import { extendExpiry, newSubToken, newVpnUuid, shortenExpiry, vpnEmailFor } from './grant-rules';

const DAY_MS = 86_400_000;
const now = new Date('2026-03-01T12:00:00Z');

describe('extending access', () => {
  it('adds the days to the current expiry while it is still in the future', () => {
    const expires = new Date('2026-03-10T00:00:00Z');
    expect(extendExpiry(now, expires, 30)).toEqual(new Date(expires.getTime() + 30 * DAY_MS));
  });

  it('starts from now when the subscription has lapsed or is new', () => {
    expect(extendExpiry(now, new Date('2026-01-01T00:00:00Z'), 7)).toEqual(
      new Date(now.getTime() + 7 * DAY_MS),
    );
    expect(extendExpiry(now, null, 3)).toEqual(new Date(now.getTime() + 3 * DAY_MS));
  });

  it('takes back exactly what one grant added', () => {
    const expires = new Date('2026-04-01T00:00:00Z');
    expect(shortenExpiry(extendExpiry(now, expires, 90), 90)).toEqual(expires);
  });
});

describe('VPN identity', () => {
  it('derives a lower-case, non-empty e-mail from the Telegram id', () => {
    expect(vpnEmailFor(123456789, 'VPN.Example.org')).toBe('u123456789@vpn.example.org');
  });

  it('makes UUIDs and subscription tokens that do not repeat and cannot be guessed', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newSubToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newVpnUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
