import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import { vpnDesiredStateCtes } from '../vpn/vpn-desired-state.repository';
import { limitBytesSql, periodStartSql } from './traffic-sql';

export interface RestoredSubscription {
  subscriptionId: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
  isTrial: boolean;
  planCode: string | null;
  active: boolean;
}

@Injectable()
export class TrafficLimitsRepository {
  constructor(private readonly db: DbService) {}

  /** One statement blocks and revokes however many cross at once; returns the newly blocked ids. */
  async blockAndRevoke(em: EntityManager, subscriptionIds: string[]): Promise<string[]> {
    if (!subscriptionIds.length) return [];
    const rows = await queryRows<{ id: string }>(
      em,
      `WITH b AS (
         UPDATE traffic_periods tp SET blocked_period_start = tp.period_start, blocked_at = now(), updated_at = now()
           FROM subscriptions s
          WHERE tp.subscription_id = ANY($1::bigint[]) AND tp.blocked_period_start IS NULL AND s.id = tp.subscription_id
         RETURNING s.id AS subscription_id, s.user_id, s.vpn_uuid, s.vpn_email
       ), ${vpnDesiredStateCtes({
         kind: 'revoke',
         from: 'b',
         subscriptionId: 'b.subscription_id',
         userId: 'b.user_id',
         vpnUuid: 'b.vpn_uuid',
         vpnEmail: 'b.vpn_email',
         supersededName: 'superseded',
         queuedName: 'queued',
       })}
       SELECT subscription_id::text AS id FROM b`,
      [subscriptionIds],
    );
    return rows.map((r) => r.id);
  }

  /** Unblocks subscriptions whose period turned over or whose limit no longer applies. */
  async unblockDue(em: EntityManager, limit: number): Promise<RestoredSubscription[]> {
    return queryRows<RestoredSubscription>(
      em,
      `WITH due AS (
         SELECT t.subscription_id, ${periodStartSql('s')} AS current_start
           FROM traffic_periods t JOIN subscriptions s ON s.id = t.subscription_id
          WHERE t.blocked_period_start IS NOT NULL
            AND (t.blocked_period_start <> ${periodStartSql('s')}
                 OR ${limitBytesSql('s')} IS NULL
                 OR t.uplink_bytes + t.downlink_bytes < ${limitBytesSql('s')})
          ORDER BY t.subscription_id LIMIT $1
          FOR UPDATE OF t SKIP LOCKED
       ), lifted AS (
         UPDATE traffic_periods t SET blocked_period_start = NULL, blocked_at = NULL,
                uplink_bytes = CASE WHEN t.period_start = due.current_start THEN t.uplink_bytes ELSE 0 END,
                downlink_bytes = CASE WHEN t.period_start = due.current_start THEN t.downlink_bytes ELSE 0 END,
                period_start = due.current_start, updated_at = now()
           FROM due WHERE t.subscription_id = due.subscription_id
         RETURNING t.subscription_id
       )
       SELECT s.id::text AS "subscriptionId", s.user_id::int8 AS "userId", s.vpn_uuid AS "vpnUuid",
              s.vpn_email AS "vpnEmail", s.is_trial AS "isTrial", s.plan_code AS "planCode",
              s.status = 'active' AND NOT u.is_banned AS active
         FROM lifted l JOIN subscriptions s ON s.id = l.subscription_id JOIN users u ON u.id = s.user_id`,
      [limit],
    ).then((rows) => rows.map((r) => ({ ...r, userId: Number(r.userId) })));
  }

  /** A key queued again after the block (reissue, admin) must be revoked again. */
  async requeuedWhileBlocked(em: EntityManager, limit: number): Promise<RestoredSubscription[]> {
    const rows = await queryRows<RestoredSubscription>(
      em,
      `SELECT s.id::text AS "subscriptionId", s.user_id::int8 AS "userId", s.vpn_uuid AS "vpnUuid",
              s.vpn_email AS "vpnEmail", s.is_trial AS "isTrial", s.plan_code AS "planCode", false AS active
         FROM traffic_periods t JOIN subscriptions s ON s.id = t.subscription_id
        WHERE t.blocked_period_start IS NOT NULL
          AND EXISTS (SELECT 1 FROM vpn_operations o
                       WHERE o.subscription_id = s.id AND o.kind = 'provision' AND o.state <> 'superseded'
                         AND o.created_at > t.blocked_at
                         AND NOT EXISTS (SELECT 1 FROM vpn_operations r
                                          WHERE r.subscription_id = s.id AND r.node_code = o.node_code
                                            AND r.kind = 'revoke' AND r.id > o.id AND r.state <> 'superseded'))
        ORDER BY t.subscription_id LIMIT $1
        FOR UPDATE OF t SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({ ...r, userId: Number(r.userId) }));
  }

  async countBlocked(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      'traffic.count-blocked',
      `SELECT count(*)::int AS n FROM traffic_periods WHERE blocked_period_start IS NOT NULL`,
    );
    return row.n;
  }
}
