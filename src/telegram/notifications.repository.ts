import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';

export interface DueNotification {
  id: string;
  userId: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  language: string;
}

/** The notifications outbox: claimed in one short statement, results recorded in another. */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly db: DbService) {}

  async claim(limit: number, lockMs: number): Promise<DueNotification[]> {
    const rows = await this.db.query<{
      id: string;
      user_id: string;
      kind: string;
      payload: Record<string, unknown>;
      attempts: number;
      language_code: string;
    }>(
      'notifications.claim',
      `WITH due AS (
         SELECT n.id FROM notifications n
         WHERE (n.state = 'pending' AND n.next_attempt_at <= now()) OR (n.state = 'sending' AND n.locked_until < now())
         ORDER BY n.next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE notifications n SET state = 'sending', attempts = n.attempts + 1,
              locked_until = now() + make_interval(secs => $2::float8 / 1000)
         FROM due, users u
        WHERE n.id = due.id AND u.id = n.user_id
       RETURNING n.id, n.user_id, n.kind, n.payload, n.attempts, u.language_code`,
      [limit, lockMs],
    );
    return rows.map((r) => ({
      id: String(r.id),
      userId: Number(r.user_id),
      kind: r.kind,
      payload: r.payload,
      attempts: r.attempts,
      language: r.language_code,
    }));
  }

  async markSent(id: string): Promise<void> {
    await this.db.query(
      'notifications.sent',
      `UPDATE notifications SET state = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  /** `retryInMs` null: final (`failed`, or `cancelled` when the user cannot be reached). */
  async markFailed(
    id: string,
    error: string,
    outcome: { retryInMs: number } | 'failed' | 'cancelled',
  ): Promise<void> {
    const retry = typeof outcome === 'object' ? outcome.retryInMs : null;
    await this.db.query(
      'notifications.failed',
      `UPDATE notifications SET state = $3, locked_until = NULL, last_error = left($2, 2000),
              next_attempt_at = now() + make_interval(secs => COALESCE($4::float8, 0) / 1000)
       WHERE id = $1`,
      [id, error, retry === null ? outcome : 'pending', retry],
    );
  }

  async backlog(): Promise<number> {
    const [r] = await this.db.query<{ n: string }>(
      'notifications.backlog',
      `SELECT count(*) AS n FROM notifications WHERE state IN ('pending', 'sending')`,
    );
    return Number(r.n);
  }
}
