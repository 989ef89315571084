import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';

export interface ExpireDueQuery {
  now: Date;
  limit: number;
  /** Auto-renew subscriptions that expired after this moment wait for auto-renewal if the balance covers it. */
  graceFrom: Date;
  balanceCurrency: string;
}

@Injectable()
export class ExpiryRepository {
  constructor(private readonly db: DbService) {}

  /**
   * Expires up to `limit` lapsed subscriptions with everything that goes with it, in ONE statement (atomic on
   * its own, one round trip, so the connection is held for the shortest time): status expired, a revoke
   * operation per key with any still-pending provision of that key superseded, and a notice per period.
   * Rows another transaction holds (a renewal in flight) are skipped, not waited for. This is the sweep's
   * hot path, which is why it does not reuse VpnDesiredStateRepository and UserNotificationsRepository.
   */
  async expireDue(q: ExpireDueQuery): Promise<number> {
    const rows = await this.db.query<{ expired: string }>(
      'subscriptions.expire-batch',
      `WITH due AS (
         SELECT s.id FROM subscriptions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN plans p ON p.code = s.plan_code
         WHERE s.status = 'active' AND s.expires_at <= $1
           AND NOT COALESCE(s.auto_renew AND s.expires_at > $3 AND p.enabled
                            AND u.balance_minor >= (p.prices ->> $4)::bigint, false)
         ORDER BY s.expires_at
         LIMIT $2
         FOR UPDATE OF s SKIP LOCKED
       ), expired AS (
         UPDATE subscriptions s SET status = 'expired', expired_at = $1, updated_at = now()
         FROM due WHERE s.id = due.id
         RETURNING s.id, s.user_id, s.vpn_uuid, s.vpn_email, s.is_trial, s.expires_at
       ), superseded AS (
         UPDATE vpn_operations o SET state = 'superseded', updated_at = now()
         FROM expired e
         WHERE o.subscription_id = e.id AND o.vpn_uuid = e.vpn_uuid AND o.kind = 'provision' AND o.state = 'pending'
       ), revokes AS (
         INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email)
         SELECT e.id, e.user_id, 'revoke', e.vpn_uuid, e.vpn_email FROM expired e
       ), notices AS (
         INSERT INTO notifications (user_id, kind, dedupe_key, payload)
         SELECT e.user_id, 'subscription_expired',
                'expired:' || e.id || ':' || floor(extract(epoch FROM e.expires_at))::bigint,
                jsonb_build_object('wasTrial', e.is_trial, 'expiresAt', e.expires_at)
         FROM expired e
         ON CONFLICT (dedupe_key) DO NOTHING
       )
       SELECT count(*) AS expired FROM expired`,
      [q.now, q.limit, q.graceFrom, q.balanceCurrency],
    );
    return Number(rows[0].expired);
  }
}
