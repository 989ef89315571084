import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import type { NotificationKind } from './notification-kinds';

export interface NotificationInput {
  userId: number;
  kind: NotificationKind;
  dedupeKey: string;
  payload?: Record<string, unknown>;
  /** Due this long after the commit instead of at once (a notice that waits to be merged into another). */
  delayMs?: number;
}

export interface DueNotification {
  id: string;
  userId: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  language: string;
}

@Injectable()
export class NotificationsRepository {
  constructor(private readonly db: DbService) {}

  async enqueue(em: EntityManager, n: NotificationInput): Promise<boolean> {
    const rows = await queryRows(
      em,
      `INSERT INTO notifications (user_id, kind, dedupe_key, payload, next_attempt_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::float8 / 1000))
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [n.userId, n.kind, n.dedupeKey, JSON.stringify(n.payload ?? {}), n.delayMs ?? 0],
    );
    return rows.length === 1;
  }

  async enqueueMany(em: EntityManager, ns: NotificationInput[]): Promise<number> {
    if (!ns.length) return 0;
    const rows = await queryRows(
      em,
      `INSERT INTO notifications (user_id, kind, dedupe_key, payload)
       SELECT n.user_id, n.kind, n.dedupe_key, n.payload
         FROM jsonb_to_recordset($1::jsonb) AS n(user_id bigint, kind text, dedupe_key text, payload jsonb)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        JSON.stringify(
          ns.map((n) => ({
            user_id: n.userId,
            kind: n.kind,
            dedupe_key: n.dedupeKey,
            payload: n.payload ?? {},
          })),
        ),
      ],
    );
    return rows.length;
  }

  /** Only users with a row: a bot cannot write to someone who never started it. */
  async enqueueForUsers(
    em: EntityManager,
    userIds: readonly number[],
    n: { kind: NotificationKind; dedupeKey: (userId: number) => string; payload: Record<string, unknown> },
  ): Promise<number> {
    if (!userIds.length) return 0;
    const rows = await queryRows(
      em,
      `INSERT INTO notifications (user_id, kind, dedupe_key, payload)
       SELECT u.id, $2, k.key, $4::jsonb
         FROM unnest($1::bigint[], $3::text[]) AS k(user_id, key) JOIN users u ON u.id = k.user_id
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [userIds, n.kind, userIds.map((id) => n.dedupeKey(id)), JSON.stringify(n.payload)],
    );
    return rows.length;
  }

  /** For notices that became wrong, e.g. a reminder for a period just renewed. */
  async cancelPending(
    em: EntityManager,
    q: { userId: number; kinds: NotificationKind[]; dedupePrefixes: string[] },
  ): Promise<number> {
    const rows = await queryRows(
      em,
      `UPDATE notifications SET state = 'cancelled'
       WHERE user_id = $1 AND state = 'pending' AND kind = ANY($2::text[])
         AND EXISTS (SELECT 1 FROM unnest($3::text[]) AS p(prefix) WHERE starts_with(dedupe_key, p.prefix))
       RETURNING id`,
      [q.userId, q.kinds, q.dedupePrefixes],
    );
    return rows.length;
  }

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

  /**
   * Takes the user's still-pending "payment received" notice for `subscriptionId` into notice `intoId`, or finds
   * the one taken by an earlier attempt of `intoId` (a retry after a failed send carries it again). A notice
   * already claimed for sending alone is left to go alone.
   */
  async takeForMerge(
    intoId: string,
    userId: number,
    subscriptionId: string,
  ): Promise<Record<string, unknown>[]> {
    const rows = await this.db.query<{ payload: Record<string, unknown> }>(
      'notifications.merge',
      `UPDATE notifications SET state = 'merged', merged_into = $1, locked_until = NULL
        WHERE user_id = $2 AND kind = 'payment_received' AND payload->>'subscriptionId' = $3
          AND (state = 'pending' OR (state = 'merged' AND merged_into = $1))
        RETURNING payload`,
      [intoId, userId, subscriptionId],
    );
    return rows.map((r) => r.payload);
  }

  /** Also stamps the notices merged into it: they reached the user with it. */
  async markSent(id: string): Promise<void> {
    await this.db.query(
      'notifications.sent',
      `UPDATE notifications
          SET state = CASE WHEN id = $1 THEN 'sent' ELSE state END, sent_at = now(), locked_until = NULL,
              last_error = NULL
        WHERE id = $1 OR merged_into = $1`,
      [id],
    );
  }

  async markFailed(
    id: string,
    error: string,
    outcome: { retryInMs: number } | 'failed' | 'cancelled',
  ): Promise<void> {
    const retry = typeof outcome === 'object' ? outcome.retryInMs : null;
    // A notice that will never be sent gives back the ones merged into it: they go out on their own.
    await this.db.query(
      'notifications.failed',
      `WITH released AS (
         UPDATE notifications SET state = 'pending', merged_into = NULL, next_attempt_at = now()
          WHERE merged_into = $1 AND $3 <> 'pending'
       )
       UPDATE notifications SET state = $3, locked_until = NULL, last_error = left($2, 2000),
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
