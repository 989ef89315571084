import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import { dedupeKeySql } from '../notifications/notification-kinds';
import { notificationsInsertCte } from '../notifications/notifications-sql';
import type { ReminderRule } from './reminder-rules';

export interface ReminderBatch {
  rule: ReminderRule;
  now: Date;
  from: Date;
  to: Date;
  afterId: string;
  limit: number;
}

@Injectable()
export class RemindersRepository {
  constructor(private readonly db: DbService) {}

  /** The dedupe key carries the period: replicas and reruns cannot repeat it, a renewal starts afresh. */
  async createBatch(b: ReminderBatch): Promise<{ lastId: string | null; scanned: number; created: number }> {
    const rows = await this.db.query<{ last_id: string | null; scanned: string; created: string }>(
      `reminders.${b.rule.code}`,
      `WITH batch AS (
         SELECT s.id, s.user_id, s.expires_at, s.auto_renew,
                ${dedupeKeySql.reminder('s.id', '$6::text', 's.expires_at')} AS dedupe_key
         FROM subscriptions s
         WHERE s.status = 'active' AND s.is_trial = $1 AND s.expires_at > $2 AND s.expires_at <= $3
           AND s.id > $4::bigint
         ORDER BY s.id
         LIMIT $5
       ), ${notificationsInsertCte({
         name: 'created',
         from: 'batch b',
         userId: 'b.user_id',
         kind: '$7',
         dedupeKey: 'b.dedupe_key',
         payload: `jsonb_build_object('hoursLeft', ceil(extract(epoch FROM b.expires_at - $8::timestamptz) / 3600)::int,
                                   'expiresAt', b.expires_at, 'autoRenew', b.auto_renew)`,
         skipExisting: true,
         returning: '1',
       })}
       SELECT (SELECT max(id) FROM batch) AS last_id, (SELECT count(*) FROM batch) AS scanned,
              (SELECT count(*) FROM created) AS created`,
      [b.rule.trial, b.from, b.to, b.afterId, b.limit, b.rule.code, b.rule.kind, b.now],
    );
    const r = rows[0];
    return {
      lastId: r.last_id === null ? null : String(r.last_id),
      scanned: Number(r.scanned),
      created: Number(r.created),
    };
  }
}
