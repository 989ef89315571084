import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import { limitBytesSql, periodStartSql } from './traffic-sql';

/** A subscription's traffic in its current period: what the feed's subscription-userinfo and the bot show. */
export interface TrafficUsage {
  subscriptionId: string;
  uploadBytes: number;
  downloadBytes: number;
  limitBytes: number | null;
  /** The key is held back until renewal or the period reset. */
  overLimit: boolean;
  periodStart: Date;
  reset: 'period' | 'monthly';
}

export interface TopConsumer {
  userId: number;
  username: string | null;
  usedBytes: number;
  limitBytes: number | null;
  overLimit: boolean;
}

@Injectable()
export class TrafficService {
  constructor(private readonly db: DbService) {}

  async usage(subscriptionId: string): Promise<TrafficUsage | undefined> {
    return (await this.usageMany([subscriptionId]))[0];
  }

  /** One statement for many subscriptions (a feed or a list); unknown ids are left out. */
  async usageMany(subscriptionIds: string[]): Promise<TrafficUsage[]> {
    if (!subscriptionIds.length) return [];
    const rows = await this.db.query<{
      id: string;
      start: Date;
      up: string | null;
      down: string | null;
      period: Date | null;
      lim: string | null;
      over: boolean;
      reset: 'period' | 'monthly' | null;
    }>(
      'traffic.usage',
      `SELECT s.id::text AS id, ${periodStartSql('s')} AS start, t.uplink_bytes::text AS up,
              t.downlink_bytes::text AS down, t.period_start AS period, ${limitBytesSql('s')}::text AS lim,
              COALESCE(t.blocked_period_start IS NOT NULL, false) AS over,
              (SELECT pl.traffic_reset FROM plans pl WHERE pl.code = s.plan_code) AS reset
         FROM subscriptions s LEFT JOIN traffic_periods t ON t.subscription_id = s.id
        WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`,
      [subscriptionIds],
    );
    return rows.map((r) => {
      // A stored period older than the current one has not seen traffic since it turned over.
      const current = r.period !== null && r.period.getTime() === r.start.getTime();
      return {
        subscriptionId: r.id,
        uploadBytes: current ? Number(r.up) : 0,
        downloadBytes: current ? Number(r.down) : 0,
        limitBytes: r.lim === null ? null : Number(r.lim),
        overLimit: r.over,
        periodStart: r.start,
        reset: r.reset ?? 'period',
      };
    });
  }

  /** The heaviest users of their current period: a hint of abuse for admins. */
  async top(limit: number): Promise<TopConsumer[]> {
    const rows = await this.db.query<{
      user_id: string;
      username: string | null;
      used: string;
      lim: string | null;
      over: boolean;
    }>(
      'traffic.top',
      `SELECT s.user_id, u.username, (t.uplink_bytes + t.downlink_bytes)::text AS used,
              ${limitBytesSql('s')}::text AS lim, t.blocked_period_start IS NOT NULL AS over
         FROM traffic_periods t JOIN subscriptions s ON s.id = t.subscription_id JOIN users u ON u.id = s.user_id
        WHERE t.period_start = ${periodStartSql('s')} AND t.uplink_bytes + t.downlink_bytes > 0
        ORDER BY t.uplink_bytes + t.downlink_bytes DESC, s.user_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      userId: Number(r.user_id),
      username: r.username,
      usedBytes: Number(r.used),
      limitBytes: r.lim === null ? null : Number(r.lim),
      overLimit: r.over,
    }));
  }
}
