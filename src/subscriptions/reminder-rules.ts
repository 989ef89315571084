import type { NotificationKind } from '../notifications/notification-kinds';

export interface ReminderRule {
  code: string;
  kind: Extract<NotificationKind, 'expiring_soon' | 'trial_ending'>;
  trial: boolean;
  /** Sent once the time left is at most this many hours... */
  hoursBefore: number;
  /** ...and still more than this many (the next rule's turn), so a late start sends one notice, not two. */
  untilHoursBefore: number;
}

/** Paid: 3 days and 1 day before (the notice at expiry is the sweep's). Trials: 24 hours and 1 hour before. */
export const reminderRules: readonly ReminderRule[] = [
  { code: 'expiring_3d', kind: 'expiring_soon', trial: false, hoursBefore: 72, untilHoursBefore: 24 },
  { code: 'expiring_1d', kind: 'expiring_soon', trial: false, hoursBefore: 24, untilHoursBefore: 0 },
  { code: 'trial_24h', kind: 'trial_ending', trial: true, hoursBefore: 24, untilHoursBefore: 1 },
  { code: 'trial_1h', kind: 'trial_ending', trial: true, hoursBefore: 1, untilHoursBefore: 0 },
];

const HOUR_MS = 3_600_000;

export function reminderWindow(rule: ReminderRule, now: Date): { from: Date; to: Date } {
  return {
    from: new Date(now.getTime() + rule.untilHoursBefore * HOUR_MS),
    to: new Date(now.getTime() + rule.hoursBefore * HOUR_MS),
  };
}

export function dueReminder(now: Date, s: { isTrial: boolean; expiresAt: Date }): ReminderRule | undefined {
  return reminderRules.find((r) => {
    if (r.trial !== s.isTrial) return false;
    const w = reminderWindow(r, now);
    return s.expiresAt > w.from && s.expiresAt <= w.to;
  });
}
