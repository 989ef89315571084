/** A period starts at the latest grant (and each UTC month for `monthly` plans). */
export function periodStartSql(s: string): string {
  const lastGrant = `COALESCE((SELECT max(g.created_at) FROM subscription_grants g
                                WHERE g.subscription_id = ${s}.id AND g.revoked_at IS NULL), ${s}.created_at)`;
  return `CASE WHEN (SELECT pl.traffic_reset FROM plans pl WHERE pl.code = ${s}.plan_code AND NOT ${s}.is_trial) = 'monthly'
            THEN GREATEST(date_trunc('month', now(), 'UTC'), ${lastGrant}) ELSE ${lastGrant} END`;
}

/** The plan's limit in bytes for subscription alias `s`; NULL (unlimited) for trials and unlimited plans. */
export function limitBytesSql(s: string): string {
  return `(SELECT pl.traffic_limit_bytes FROM plans pl WHERE pl.code = ${s}.plan_code AND NOT ${s}.is_trial)`;
}

/** True while the subscription's key is held back for its traffic limit (reconciliation, backfill, feed). */
export function overTrafficLimitSql(subscriptionId: string): string {
  return `EXISTS (SELECT 1 FROM traffic_periods tp
                   WHERE tp.subscription_id = ${subscriptionId} AND tp.blocked_period_start IS NOT NULL)`;
}
