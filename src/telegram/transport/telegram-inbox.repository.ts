import { Injectable } from '@nestjs/common';
import { DbService } from '../../database/db.service';

export interface InboxUpdate {
  updateId: number;
  chatId: number | null;
  payload: Record<string, unknown>;
  attempts: number;
  /** Since the update was stored, at the claim (database clock): the first part of update_to_reply_seconds. */
  waitedMs?: number;
}

type RawUpdate = { update_id: number } & Record<string, unknown>;

/** Stored before acknowledged; chats in parallel, each in order; a claim is a lease a dead worker loses. */
@Injectable()
export class TelegramInboxRepository {
  private finished: { updateId: number; resolve(): void; reject(err: Error): void }[] = [];
  /** How many statements marked updates done (fewer than the updates when they finish together). */
  readonly stats = { completeStatements: 0 };

  constructor(private readonly db: DbService) {}

  async store(updates: RawUpdate[]): Promise<number> {
    if (updates.length === 0) return 0;
    const rows = await this.db.query(
      'inbox.store',
      `INSERT INTO telegram_updates (update_id, chat_id, kind, payload)
       SELECT u.update_id, u.chat_id, u.kind, u.payload
       FROM jsonb_to_recordset($1::jsonb) AS u(update_id bigint, chat_id bigint, kind text, payload jsonb)
       ON CONFLICT (update_id) DO NOTHING
       RETURNING update_id`,
      [
        JSON.stringify(
          updates.map((u) => ({ update_id: u.update_id, chat_id: chatIdOf(u), kind: kindOf(u), payload: u })),
        ),
      ],
    );
    return rows.length;
  }

  async claim(limit: number, lockMs: number): Promise<InboxUpdate[]> {
    const rows = await this.db.query<{
      update_id: string;
      chat_id: string | null;
      payload: Record<string, unknown>;
      attempts: number;
      waited_ms: number;
    }>(
      'inbox.claim',
      `WITH heads AS (
         SELECT DISTINCT ON (COALESCE(chat_id, -update_id)) update_id, state, next_attempt_at, locked_until
         FROM telegram_updates
         WHERE state IN ('pending', 'processing')
         ORDER BY COALESCE(chat_id, -update_id), update_id
       ), due AS (
         SELECT update_id FROM heads
         WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'processing' AND locked_until < now())
         ORDER BY update_id
         LIMIT $1
       )
       UPDATE telegram_updates t
          SET state = 'processing', attempts = t.attempts + 1,
              locked_until = now() + make_interval(secs => $2::float8 / 1000)
         FROM due
        WHERE t.update_id = due.update_id
          AND (t.state = 'pending' OR t.locked_until < now())
       RETURNING t.update_id, t.chat_id, t.payload, t.attempts,
                 (extract(epoch FROM clock_timestamp() - t.received_at) * 1000)::float8 AS waited_ms`,
      [limit, lockMs],
    );
    return rows
      .map((r) => ({
        updateId: Number(r.update_id),
        chatId: r.chat_id === null ? null : Number(r.chat_id),
        payload: r.payload,
        attempts: r.attempts,
        waitedMs: Number(r.waited_ms),
      }))
      .sort((a, b) => a.updateId - b.updateId);
  }

  /**
   * Marks an update done. Updates finished in the same turn of the event loop share one UPDATE: under load the
   * dispatcher would otherwise send a statement per update, on the connections and the CPU that webhook intake
   * needs. Resolves after that statement; a failed statement rejects every update in it (each is retried).
   */
  complete(updateId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.finished.push({ updateId, resolve, reject });
      if (this.finished.length === 1) setImmediate(() => void this.flushFinished());
    });
  }

  private async flushFinished(): Promise<void> {
    const batch = this.finished.splice(0);
    try {
      await this.db.query(
        'inbox.complete',
        `UPDATE telegram_updates SET state = 'done', finished_at = now(), locked_until = NULL, last_error = NULL
         WHERE update_id = ANY($1::bigint[])`,
        [batch.map((f) => f.updateId)],
      );
      this.stats.completeStatements++;
      for (const f of batch) f.resolve();
    } catch (err) {
      for (const f of batch) f.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async fail(updateId: number, error: string, retryInMs: number | null): Promise<void> {
    await this.db.query(
      'inbox.fail',
      `UPDATE telegram_updates
          SET state = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => COALESCE($3::float8, 0) / 1000),
              finished_at = CASE WHEN $3::float8 IS NULL THEN now() END,
              locked_until = NULL, last_error = left($2, 2000)
        WHERE update_id = $1`,
      [updateId, error, retryInMs],
    );
  }

  async release(updateIds: number[]): Promise<void> {
    if (updateIds.length === 0) return;
    await this.db.query(
      'inbox.release',
      `UPDATE telegram_updates SET state = 'pending', attempts = GREATEST(attempts - 1, 0), locked_until = NULL
       WHERE update_id = ANY($1::bigint[]) AND state = 'processing'`,
      [updateIds],
    );
  }

  async counts(): Promise<{
    pending: number;
    due: number;
    processing: number;
    failed: number;
    oldestPendingAgeS: number | null;
  }> {
    const [r] = await this.db.query<{
      pending: string;
      due: string;
      processing: string;
      failed: string;
      oldest: number | null;
    }>(
      'inbox.counts',
      `SELECT count(*) FILTER (WHERE state = 'pending') AS pending,
              count(*) FILTER (WHERE state = 'pending' AND next_attempt_at <= now()) AS due,
              count(*) FILTER (WHERE state = 'processing') AS processing,
              count(*) FILTER (WHERE state = 'failed') AS failed,
              extract(epoch FROM now() - min(received_at) FILTER (WHERE state = 'pending'))::float8 AS oldest
       FROM telegram_updates WHERE state <> 'done'`,
    );
    return {
      pending: Number(r.pending),
      due: Number(r.due),
      processing: Number(r.processing),
      failed: Number(r.failed),
      oldestPendingAgeS: r.oldest,
    };
  }

  async cleanup(retentionHours: number, batch = 5_000): Promise<number> {
    const rows = await this.db.query(
      'inbox.cleanup',
      `DELETE FROM telegram_updates WHERE update_id IN (
         SELECT update_id FROM telegram_updates
         WHERE state IN ('done', 'failed') AND finished_at < now() - make_interval(hours => $1)
         LIMIT $2)
       RETURNING update_id`,
      [retentionHours, batch],
    );
    return rows.length;
  }

  async cleanupAll(
    retentionHours: number,
    o: { signal: AbortSignal; onBatch: (deleted: number) => void },
  ): Promise<void> {
    for (let n = -1; n !== 0 && !o.signal.aborted;) {
      n = await this.cleanup(retentionHours);
      o.onBatch(n);
    }
  }
}

const CHAT_PATHS: [string, string[]][] = [
  ['message', ['chat', 'id']],
  ['edited_message', ['chat', 'id']],
  ['channel_post', ['chat', 'id']],
  ['callback_query', ['from', 'id']],
  ['shipping_query', ['from', 'id']],
  ['my_chat_member', ['chat', 'id']],
  ['chat_member', ['chat', 'id']],
  ['inline_query', ['from', 'id']],
];

/** Pre-checkout queries get their own lane (null): Telegram cancels one unanswered within 10 s. */
export function chatIdOf(update: Record<string, unknown>): number | null {
  for (const [key, path] of CHAT_PATHS) {
    let v: unknown = update[key];
    if (v === undefined) continue;
    for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
    return typeof v === 'number' ? v : null;
  }
  return null;
}

export function kindOf(update: Record<string, unknown>): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
}
