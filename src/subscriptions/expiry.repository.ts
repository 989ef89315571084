import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import { dedupeKeySql } from '../notifications/notification-kinds';
import { notificationsInsertCte } from '../notifications/notifications-sql';
import { vpnDesiredStateCtes } from '../vpn/vpn-desired-state.repository';

export interface ExpireDueQuery {
  now: Date;
  limit: number;
  graceFrom: Date;
  balanceCurrency: string;
}

@Injectable()
export class ExpiryRepository {
  constructor(private readonly db: DbService) {}

  /** One statement (atomic, one round trip); the sweep's hot path, so it embeds the owners' SQL fragments. */
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
       ), ${vpnDesiredStateCtes({
         kind: 'revoke',
         from: 'expired e',
         subscriptionId: 'e.id',
         userId: 'e.user_id',
         vpnUuid: 'e.vpn_uuid',
         vpnEmail: 'e.vpn_email',
         supersededName: 'superseded',
         queuedName: 'revokes',
       })}, ${notificationsInsertCte({
         name: 'notices',
         from: 'expired e',
         userId: 'e.user_id',
         kind: "'subscription_expired'",
         dedupeKey: dedupeKeySql.expired('e.id', 'e.expires_at'),
         payload: "jsonb_build_object('wasTrial', e.is_trial, 'expiresAt', e.expires_at)",
       })}
       SELECT count(*) AS expired FROM expired`,
      [q.now, q.limit, q.graceFrom, q.balanceCurrency],
    );
    return Number(rows[0].expired);
  }
}
