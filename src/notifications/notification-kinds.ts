export const notificationKinds = [
  'payment_received',
  'topup_received',
  'subscription_renewed',
  'key_ready',
  'expiring_soon',
  'trial_ending',
  'subscription_expired',
  'renewal_failed_insufficient_funds',
  'referral_reward',
  'refund_processed',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

type Id = string | number;

const epoch = (expiresAt: Date): number => Math.floor(expiresAt.getTime() / 1000);
const epochSql = (expiresAt: string): string => `floor(extract(epoch FROM ${expiresAt}))::bigint`;

/** One notice per key, ever; `dedupeKeySql` spells the same keys in SQL, here so the two cannot drift. */
export const dedupeKeys = {
  paid: (purchaseId: Id): string => `paid:${purchaseId}`,
  renewed: (purchaseId: Id): string => `renewed:${purchaseId}`,
  topup: (purchaseId: Id): string => `topup:${purchaseId}`,
  referral: (purchaseId: Id): string => `referral:${purchaseId}`,
  refund: (purchaseId: Id): string => `refund:${purchaseId}`,
  keyReady: (subscriptionId: Id, vpnUuid: string): string => `key_ready:${subscriptionId}:${vpnUuid}`,
  expired: (subscriptionId: Id, expiresAt: Date): string => `expired:${subscriptionId}:${epoch(expiresAt)}`,
  reminder: (subscriptionId: Id, ruleCode: string, expiresAt: Date): string =>
    `reminder:${subscriptionId}:${ruleCode}:${epoch(expiresAt)}`,
  renewalFailed: (subscriptionId: Id, expiresAt: Date): string =>
    `renewal_failed:${subscriptionId}:${epoch(expiresAt)}`,
};

export const dedupeKeyPrefixes = {
  reminder: (subscriptionId: Id): string => `reminder:${subscriptionId}:`,
  renewalFailed: (subscriptionId: Id): string => `renewal_failed:${subscriptionId}:`,
};

export const dedupeKeySql = {
  expired: (subscriptionId: string, expiresAt: string): string =>
    `'expired:' || ${subscriptionId} || ':' || ${epochSql(expiresAt)}`,
  reminder: (subscriptionId: string, ruleCode: string, expiresAt: string): string =>
    `'reminder:' || ${subscriptionId} || ':' || ${ruleCode} || ':' || ${epochSql(expiresAt)}`,
  renewalFailed: (subscriptionId: string, expiresAt: string): string =>
    `'renewal_failed:' || ${subscriptionId} || ':' || ${epochSql(expiresAt)}`,
};
