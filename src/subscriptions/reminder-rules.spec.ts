import { describe, expect, it } from 'vitest';
import { dueReminder } from './reminder-rules';

const HOUR_MS = 3_600_000;
const now = new Date('2026-05-01T00:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * HOUR_MS);

describe('which reminder is due', () => {
  it('reminds paid subscriptions three days and one day before expiry', () => {
    expect(dueReminder(now, { isTrial: false, expiresAt: at(80) })).toBeUndefined();
    expect(dueReminder(now, { isTrial: false, expiresAt: at(72) })?.code).toBe('expiring_3d');
    expect(dueReminder(now, { isTrial: false, expiresAt: at(25) })?.code).toBe('expiring_3d');
    expect(dueReminder(now, { isTrial: false, expiresAt: at(24) })?.code).toBe('expiring_1d');
    expect(dueReminder(now, { isTrial: false, expiresAt: at(0.1) })?.code).toBe('expiring_1d');
  });

  it('reminds trials 24 hours and one hour before expiry', () => {
    expect(dueReminder(now, { isTrial: true, expiresAt: at(30) })).toBeUndefined();
    expect(dueReminder(now, { isTrial: true, expiresAt: at(23) })?.code).toBe('trial_24h');
    expect(dueReminder(now, { isTrial: true, expiresAt: at(0.5) })?.code).toBe('trial_1h');
  });

  it('sends only the nearest reminder to a subscription that starts inside several windows', () => {
    const rule = dueReminder(now, { isTrial: false, expiresAt: at(10) });
    expect(rule?.code).toBe('expiring_1d');
  });

  it("sends nothing once the subscription has expired (that notice is the sweep's)", () => {
    expect(dueReminder(now, { isTrial: false, expiresAt: at(0) })).toBeUndefined();
    expect(dueReminder(now, { isTrial: true, expiresAt: at(-1) })).toBeUndefined();
  });
});
