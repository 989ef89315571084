import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import { PURCHASE_COLUMNS, toPurchase, type Purchase, type PurchaseRow } from '../payments/purchase';
import type { PromoStats } from '../promo/promo-codes.repository';
import { toUser, USER_COLUMNS, type User, type UserRow } from '../users/user';

export interface AdminStats {
  users: number;
  blockedBot: number;
  banned: number;
  activeSubscriptions: number;
  activeTrials: number;
  provisioningBacklog: number;
  failedOperations: number;
  /** Money received from outside (providers other than balance and admin), per currency, in minor units. */
  revenue: { currency: string; todayMinor: number; last30DaysMinor: number; purchases30Days: number }[];
  promo?: PromoStats;
}

export interface UserProfile {
  user: User;
  referrerUsername: string | null;
  invited: number;
  purchases: Purchase[];
}

@Injectable()
export class AdminRepository {
  constructor(private readonly db: DbService) {}

  async stats(now: Date): Promise<AdminStats> {
    const [c] = await this.db.query<Record<string, string>>(
      'admin.stats.counts',
      `SELECT (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM users WHERE blocked_at IS NOT NULL) AS blocked_bot,
              (SELECT count(*) FROM users WHERE is_banned) AS banned,
              (SELECT count(*) FROM subscriptions
                WHERE status = 'active' AND expires_at > $1 AND NOT is_trial) AS active_subscriptions,
              (SELECT count(*) FROM subscriptions
                WHERE status = 'active' AND expires_at > $1 AND is_trial) AS active_trials,
              (SELECT count(*) FROM vpn_operations WHERE state IN ('pending', 'in_progress')) AS backlog,
              (SELECT count(*) FROM vpn_operations WHERE state = 'failed') AS failed_ops`,
      [now],
    );
    // Balance purchases only move money counted at top-up; admin rows are not money. "Today" is the UTC day.
    const revenue = await this.db.query<{ currency: string; today: string; last30: string; n: string }>(
      'admin.stats.revenue',
      `SELECT currency,
              COALESCE(sum(amount_minor) FILTER (
                WHERE paid_at >= date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0) AS today,
              sum(amount_minor) AS last30, count(*) AS n
         FROM purchases
        WHERE status = 'paid' AND provider NOT IN ('balance', 'admin')
          AND paid_at > $1::timestamptz - interval '30 days' AND paid_at <= $1
        GROUP BY currency ORDER BY currency`,
      [now],
    );
    return {
      users: Number(c.users),
      blockedBot: Number(c.blocked_bot),
      banned: Number(c.banned),
      activeSubscriptions: Number(c.active_subscriptions),
      activeTrials: Number(c.active_trials),
      provisioningBacklog: Number(c.backlog),
      failedOperations: Number(c.failed_ops),
      revenue: revenue.map((r) => ({
        currency: r.currency,
        todayMinor: Number(r.today),
        last30DaysMinor: Number(r.last30),
        purchases30Days: Number(r.n),
      })),
    };
  }

  /** The user by id, or by username (case-insensitive; the most recently seen one if several match). */
  async findUser(ref: { id: number } | { username: string }): Promise<User | null> {
    const rows =
      'id' in ref
        ? await this.db.query<UserRow>('admin.find-user', `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [
            ref.id,
          ])
        : await this.db.query<UserRow>(
            'admin.find-user',
            `SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = lower($1)
              ORDER BY last_seen_at DESC NULLS LAST, id LIMIT 1`,
            [ref.username],
          );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async profileExtras(
    user: User,
    purchases: number,
  ): Promise<Pick<UserProfile, 'referrerUsername' | 'invited' | 'purchases'>> {
    const [r] = await this.db.query<{ invited: string; referrer_username: string | null }>(
      'admin.profile',
      `SELECT (SELECT count(*) FROM users WHERE referrer_id = $1) AS invited,
              (SELECT username FROM users WHERE id = $2) AS referrer_username`,
      [user.id, user.referrerId],
    );
    const rows = await this.db.query<PurchaseRow>(
      'admin.profile.purchases',
      `SELECT ${PURCHASE_COLUMNS} FROM purchases WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [user.id, purchases],
    );
    return {
      invited: Number(r.invited),
      referrerUsername: r.referrer_username,
      purchases: rows.map(toPurchase),
    };
  }
}
