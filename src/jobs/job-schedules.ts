import type { AppConfig } from '../config/app-config';
import type { JobDefinition } from './job.types';

/** Renaming a job breaks the JOBS_DISABLED and JOB_INTERVALS settings that name it. */
export const JOB_NAMES = {
  vpnProvisioning: 'vpn-provisioning',
  vpnReconcile: 'vpn-reconcile',
  vpnHealth: 'vpn-health',
  cryptoPayWatcher: 'crypto-pay-watcher',
  broadcastDelivery: 'broadcast-delivery',
  notificationsDelivery: 'notifications-delivery',
  telegramInboxCleanup: 'telegram-inbox-cleanup',
  autoRenewal: 'auto-renewal',
  purchaseExpiry: 'purchase-expiry',
  expirySweep: 'expiry-sweep',
  reminders: 'reminders',
  starsReconcile: 'stars-reconcile',
  giftExpiry: 'gift-expiry',
  traffic: 'traffic',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

type Ms = number | ((intervalMs: number) => number);

export interface JobScheduleRow {
  defaultIntervalMs: number;
  configuredBy: string;
  interval?: (config: AppConfig) => number;
  jitterMs?: Ms;
  timeoutMs?: Ms;
  /** The outbox table whose committed inserts wake the job (migration OutboxWakeups); the schedule stays. */
  wokenBy?: OutboxTable;
}

export type OutboxTable = 'vpn_operations' | 'notifications';

const ONLY_OVERRIDES = 'JOB_INTERVALS only';
const fifth = (intervalMs: number) => Math.round(intervalMs * 0.2);

export const JOB_SCHEDULES: Record<JobName, JobScheduleRow> = {
  [JOB_NAMES.vpnProvisioning]: {
    defaultIntervalMs: 2_000,
    configuredBy: 'VPN_OUTBOX_INTERVAL_MS',
    interval: (c) => c.vpn.outbox.intervalMs,
    jitterMs: fifth,
    timeoutMs: 60_000,
    wokenBy: 'vpn_operations',
  },
  [JOB_NAMES.vpnReconcile]: {
    defaultIntervalMs: 600_000,
    configuredBy: 'VPN_RECONCILE_INTERVAL_MS',
    interval: (c) => c.vpn.reconcile.intervalMs,
    jitterMs: fifth,
    timeoutMs: (i) => Math.min(i, 5 * 60_000),
  },
  // Often enough that a restarted core (users lost) is repaired within seconds, not at the next reconcile.
  [JOB_NAMES.vpnHealth]: {
    defaultIntervalMs: 30_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 5_000,
    timeoutMs: 20_000,
  },
  // Registered only when CRYPTO_PAY_TOKEN is set.
  [JOB_NAMES.cryptoPayWatcher]: {
    defaultIntervalMs: 30_000,
    configuredBy: 'CRYPTO_PAY_WATCH_INTERVAL_MS',
    interval: (c) => c.cryptoPay.watchIntervalMs,
    jitterMs: fifth,
    timeoutMs: (i) => Math.max(i - 1_000, 1_000),
  },
  // An iteration hands over to the next tick after 4 min; the broadcast's cursor makes that seamless.
  [JOB_NAMES.broadcastDelivery]: {
    defaultIntervalMs: 5_000,
    configuredBy: 'BROADCAST_INTERVAL_MS',
    interval: (c) => c.bot.broadcastIntervalMs,
    timeoutMs: 240_000,
  },
  [JOB_NAMES.notificationsDelivery]: {
    defaultIntervalMs: 3_000,
    configuredBy: 'NOTIFICATIONS_INTERVAL_MS',
    interval: (c) => c.telegram.notificationsIntervalMs,
    timeoutMs: 60_000,
    wokenBy: 'notifications',
  },
  [JOB_NAMES.telegramInboxCleanup]: { defaultIntervalMs: 3_600_000, configuredBy: ONLY_OVERRIDES },
  [JOB_NAMES.autoRenewal]: {
    defaultIntervalMs: 300_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 30_000,
    timeoutMs: 120_000,
  },
  [JOB_NAMES.starsReconcile]: {
    defaultIntervalMs: 3_600_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 300_000,
    timeoutMs: 120_000,
  },
  [JOB_NAMES.purchaseExpiry]: {
    defaultIntervalMs: 300_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 30_000,
    timeoutMs: 60_000,
  },
  [JOB_NAMES.expirySweep]: {
    defaultIntervalMs: 60_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 10_000,
    timeoutMs: 45_000,
  },
  // Gifts are valid for days: an hour late is still on time, and the refund is idempotent per gift.
  [JOB_NAMES.giftExpiry]: {
    defaultIntervalMs: 3_600_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 300_000,
    timeoutMs: 120_000,
  },
  // Five minutes keeps the one-hour trial reminder timely without rescanning the windows too often.
  [JOB_NAMES.reminders]: {
    defaultIntervalMs: 300_000,
    configuredBy: ONLY_OVERRIDES,
    jitterMs: 30_000,
    timeoutMs: 120_000,
  },
  // Cores are read in parallel with a deadline each; the limit acts within one interval.
  [JOB_NAMES.traffic]: {
    defaultIntervalMs: 60_000,
    configuredBy: 'TRAFFIC_INTERVAL_MS',
    interval: (c) => c.vpn.trafficIntervalMs,
    jitterMs: fifth,
    timeoutMs: (i) => Math.min(Math.max(i - 1_000, 1_000), 120_000),
  },
};

export function jobSchedule(config: AppConfig, name: JobName): Omit<JobDefinition, 'run'> {
  const row = JOB_SCHEDULES[name];
  const intervalMs = row.interval ? row.interval(config) : row.defaultIntervalMs;
  const ms = (v: Ms | undefined) => (typeof v === 'function' ? v(intervalMs) : v);
  return { name, intervalMs, jitterMs: ms(row.jitterMs), timeoutMs: ms(row.timeoutMs) };
}

/** The jobs a committed insert into `table` wakes. */
export function jobsWokenBy(table: string): JobName[] {
  return (Object.keys(JOB_SCHEDULES) as JobName[]).filter((n) => JOB_SCHEDULES[n].wokenBy === table);
}
