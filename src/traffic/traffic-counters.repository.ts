import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/db.service';
import type { VpnTraffic } from '../vpn/vpn-provider';
import { periodStartSql } from './traffic-sql';

export interface NearLimit {
  subscriptionId: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
  isTrial: boolean;
  planCode: string | null;
  periodStart: Date;
  usedBytes: number;
  limitBytes: number;
  blocked: boolean;
  reset: 'period' | 'monthly';
}

export interface CountedChunk {
  uplinkBytes: number;
  downlinkBytes: number;
  near: NearLimit[];
}

/** Uptime is whole seconds: starts estimated 2 s apart or more are two core processes. */
const RESTART_TOLERANCE = `interval '2 seconds'`;

/** One statement so repeated reads add nothing; a lower counter or later start means a restart. */
const ACCUMULATE = `
WITH input AS (
  SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS x(email, up, down)
), calc AS (
  SELECT s.id AS subscription_id, i.email, i.up, i.down, c.seen_uplink, c.seen_downlink,
         c.vpn_email IS NULL OR i.up < c.seen_uplink OR i.down < c.seen_downlink
           OR ($5::timestamptz > c.core_started_at + ${RESTART_TOLERANCE}) IS TRUE AS fresh
    FROM input i JOIN subscriptions s ON s.vpn_email = i.email
    LEFT JOIN traffic_node_usage c ON c.node_code = $1 AND c.vpn_email = i.email
), deltas AS (
  SELECT subscription_id, email, up, down,
         CASE WHEN fresh THEN up ELSE up - seen_uplink END AS d_up,
         CASE WHEN fresh THEN down ELSE down - seen_downlink END AS d_down
    FROM calc
), saved AS (
  INSERT INTO traffic_node_usage AS c
         (node_code, vpn_email, subscription_id, seen_uplink, seen_downlink, core_started_at, uplink_bytes, downlink_bytes)
  SELECT $1, email, subscription_id, up, down, $5::timestamptz, d_up, d_down FROM deltas
  ON CONFLICT (node_code, vpn_email) DO UPDATE SET
    subscription_id = EXCLUDED.subscription_id,
    seen_uplink = EXCLUDED.seen_uplink, seen_downlink = EXCLUDED.seen_downlink,
    core_started_at = COALESCE(EXCLUDED.core_started_at, c.core_started_at),
    uplink_bytes = c.uplink_bytes + EXCLUDED.uplink_bytes,
    downlink_bytes = c.downlink_bytes + EXCLUDED.downlink_bytes,
    updated_at = now()
  WHERE c.seen_uplink <> EXCLUDED.seen_uplink OR c.seen_downlink <> EXCLUDED.seen_downlink
     OR EXCLUDED.uplink_bytes + EXCLUDED.downlink_bytes > 0
), periods AS (
  INSERT INTO traffic_periods AS t (subscription_id, period_start, uplink_bytes, downlink_bytes)
  SELECT d.subscription_id, ${periodStartSql('s')}, d.d_up, d.d_down
    FROM deltas d JOIN subscriptions s ON s.id = d.subscription_id
   WHERE d.d_up + d.d_down > 0
  ON CONFLICT (subscription_id) DO UPDATE SET
    uplink_bytes = CASE WHEN t.period_start = EXCLUDED.period_start THEN t.uplink_bytes ELSE 0 END + EXCLUDED.uplink_bytes,
    downlink_bytes = CASE WHEN t.period_start = EXCLUDED.period_start THEN t.downlink_bytes ELSE 0 END + EXCLUDED.downlink_bytes,
    period_start = EXCLUDED.period_start,
    updated_at = now()
  RETURNING t.subscription_id, t.period_start, t.uplink_bytes + t.downlink_bytes AS used, t.blocked_period_start
), near AS (
  SELECT p.subscription_id::text AS "subscriptionId", s.user_id::int8 AS "userId", s.vpn_uuid AS "vpnUuid",
         s.vpn_email AS "vpnEmail", s.is_trial AS "isTrial", s.plan_code AS "planCode",
         p.period_start AS "periodStart", p.used AS "usedBytes", pl.traffic_limit_bytes AS "limitBytes",
         p.blocked_period_start IS NOT NULL AS blocked, pl.traffic_reset AS reset
    FROM periods p JOIN subscriptions s ON s.id = p.subscription_id
    JOIN plans pl ON pl.code = s.plan_code AND NOT s.is_trial
   WHERE pl.traffic_limit_bytes IS NOT NULL AND p.used * 5 >= pl.traffic_limit_bytes * 4
)
SELECT (SELECT COALESCE(sum(d_up), 0) FROM deltas)::text AS up,
       (SELECT COALESCE(sum(d_down), 0) FROM deltas)::text AS down,
       (SELECT COALESCE(json_agg(near), '[]') FROM near) AS near`;

@Injectable()
export class TrafficCountersRepository {
  async accumulate(
    em: EntityManager,
    node: string,
    users: VpnTraffic[],
    coreStartedAt: Date | undefined,
  ): Promise<CountedChunk> {
    const [row] = await queryRows<{ up: string; down: string; near: Record<string, unknown>[] }>(
      em,
      ACCUMULATE,
      [
        node,
        users.map((u) => u.email),
        users.map((u) => u.uplinkBytes),
        users.map((u) => u.downlinkBytes),
        coreStartedAt ?? null,
      ],
    );
    return {
      uplinkBytes: Number(row.up),
      downlinkBytes: Number(row.down),
      near: row.near.map((n) => ({
        ...(n as unknown as NearLimit),
        userId: Number(n.userId),
        periodStart: new Date(n.periodStart as string),
        usedBytes: Number(n.usedBytes),
        limitBytes: Number(n.limitBytes),
      })),
    };
  }
}
