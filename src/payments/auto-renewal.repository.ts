import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import { dedupeKeySql } from '../notifications/notification-kinds';
import { noticeExistsSql } from '../notifications/notifications-sql';

export interface RenewalCandidate {
  subscriptionId: string;
  userId: number;
}

@Injectable()
export class AutoRenewalRepository {
  constructor(private readonly db: DbService) {}

  /** Uncovered ones are left out once their failure notice exists: a poor user is not retried every run. */
  async candidates(q: {
    until: Date;
    afterId: string;
    limit: number;
    balanceCurrency: string;
  }): Promise<RenewalCandidate[]> {
    const rows = await this.db.query<{ id: string; user_id: string }>(
      'auto-renewal.candidates',
      `SELECT s.id, s.user_id FROM subscriptions s
       JOIN users u ON u.id = s.user_id
       JOIN plans p ON p.code = s.plan_code AND p.enabled
       WHERE s.status = 'active' AND s.auto_renew AND NOT u.is_banned AND s.expires_at <= $1 AND s.id > $2::bigint
         AND (COALESCE(u.balance_minor >= (p.prices ->> $4)::bigint, false)
              OR NOT ${noticeExistsSql(dedupeKeySql.renewalFailed('s.id', 's.expires_at'))})
       ORDER BY s.id
       LIMIT $3`,
      [q.until, q.afterId, q.limit, q.balanceCurrency],
    );
    return rows.map((r) => ({ subscriptionId: String(r.id), userId: Number(r.user_id) }));
  }
}
