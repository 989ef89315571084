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
  'gift_paid',
  'gift_redeemed',
  'gift_refunded',
  // To admins (ADMIN_IDS), once per episode of a VPN node.
  'vpn_node_down',
  'vpn_node_up',
  'vpn_node_full',
  'traffic_warning',
  'traffic_exhausted',
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
  giftPaid: (giftId: Id): string => `gift_paid:${giftId}`,
  giftRedeemed: (giftId: Id): string => `gift_redeemed:${giftId}`,
  giftRefunded: (giftId: Id): string => `gift_refunded:${giftId}`,
  keyReady: (subscriptionId: Id, vpnUuid: string): string => `key_ready:${subscriptionId}:${vpnUuid}`,
  expired: (subscriptionId: Id, expiresAt: Date): string => `expired:${subscriptionId}:${epoch(expiresAt)}`,
  reminder: (subscriptionId: Id, ruleCode: string, expiresAt: Date): string =>
    `reminder:${subscriptionId}:${ruleCode}:${epoch(expiresAt)}`,
  renewalFailed: (subscriptionId: Id, expiresAt: Date): string =>
    `renewal_failed:${subscriptionId}:${epoch(expiresAt)}`,
  /** An episode is named by its start (ms), so the next outage of the same node is told again. */
  nodeEpisode: (kind: 'down' | 'up' | 'full', node: string, since: Date, adminId: Id): string =>
    `vpn_node_${kind}:${node}:${since.getTime()}:${adminId}`,
  /** One notice per threshold (80, 100 %) per traffic period. */
  traffic: (subscriptionId: Id, percent: 80 | 100, periodStart: Date): string =>
    `traffic:${subscriptionId}:${percent}:${epoch(periodStart)}`,
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
