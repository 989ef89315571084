import type { GrantSource, SubscriptionStatus } from './subscription.entity';

export interface Subscription {
  id: string;
  userId: number;
  status: SubscriptionStatus;
  isTrial: boolean;
  planCode: string | null;
  vpnUuid: string;
  vpnEmail: string;
  subToken: string;
  expiresAt: Date;
  autoRenew: boolean;
  lastGrantSource: GrantSource;
  reissuedAt: Date | null;
  expiredAt: Date | null;
}

export interface SubscriptionRow {
  id: string;
  user_id: string;
  status: SubscriptionStatus;
  is_trial: boolean;
  plan_code: string | null;
  vpn_uuid: string;
  vpn_email: string;
  sub_token: string;
  expires_at: Date;
  auto_renew: boolean;
  last_grant_source: GrantSource;
  reissued_at: Date | null;
  expired_at: Date | null;
}

export const SUBSCRIPTION_COLUMNS = `id, user_id, status, is_trial, plan_code, vpn_uuid, vpn_email, sub_token,
  expires_at, auto_renew, last_grant_source, reissued_at, expired_at`;

export function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: String(r.id),
    userId: Number(r.user_id),
    status: r.status,
    isTrial: r.is_trial,
    planCode: r.plan_code,
    vpnUuid: r.vpn_uuid,
    vpnEmail: r.vpn_email,
    subToken: r.sub_token,
    expiresAt: r.expires_at,
    autoRenew: r.auto_renew,
    lastGrantSource: r.last_grant_source,
    reissuedAt: r.reissued_at,
    expiredAt: r.expired_at,
  };
}

/** Seconds since the epoch of the current expiry: names the period in dedupe keys. */
export function periodOf(expiresAt: Date): number {
  return Math.floor(expiresAt.getTime() / 1000);
}
