import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import type { BroadcastAudience, BroadcastStatus } from './broadcast.entity';

export interface Broadcast {
  id: string;
  audience: BroadcastAudience;
  text: string;
  status: BroadcastStatus;
  cursor: number;
  sent: number;
  failed: number;
  createdBy: number;
  progressChatId: number | null;
  progressMessageId: number | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface BroadcastRow {
  id: string;
  audience: BroadcastAudience;
  text: string;
  status: BroadcastStatus;
  cursor: string;
  sent: number;
  failed: number;
  created_by: string;
  progress_chat_id: string | null;
  progress_message_id: number | null;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `id, audience, text, status, cursor, sent, failed, created_by, progress_chat_id, progress_message_id,
  created_at, finished_at`;

function toBroadcast(r: BroadcastRow): Broadcast {
  return {
    id: String(r.id),
    audience: r.audience,
    text: r.text,
    status: r.status,
    cursor: Number(r.cursor),
    sent: r.sent,
    failed: r.failed,
    createdBy: Number(r.created_by),
    progressChatId: r.progress_chat_id === null ? null : Number(r.progress_chat_id),
    progressMessageId: r.progress_message_id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

@Injectable()
export class BroadcastsRepository {
  constructor(private readonly db: DbService) {}

  async create(b: {
    audience: BroadcastAudience;
    text: string;
    createdBy: number;
    progressChatId: number;
    requestKey: string;
  }): Promise<{ broadcast: Broadcast; created: boolean }> {
    const rows = await this.db.query<BroadcastRow & { created: boolean }>(
      'broadcasts.create',
      `INSERT INTO broadcasts (audience, text, created_by, progress_chat_id, request_key)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (request_key) DO UPDATE SET request_key = EXCLUDED.request_key
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [b.audience, b.text, b.createdBy, b.progressChatId, b.requestKey],
    );
    return { broadcast: toBroadcast(rows[0]), created: rows[0].created };
  }

  async setProgressMessage(id: string, messageId: number): Promise<void> {
    await this.db.query(
      'broadcasts.set-progress-message',
      `UPDATE broadcasts SET progress_message_id = $2, updated_at = now() WHERE id = $1`,
      [id, messageId],
    );
  }

  async get(id: string): Promise<Broadcast | null> {
    const rows = await this.db.query<BroadcastRow>(
      'broadcasts.get',
      `SELECT ${COLUMNS} FROM broadcasts WHERE id = $1`,
      [id],
    );
    return rows[0] ? toBroadcast(rows[0]) : null;
  }

  async listRunning(): Promise<Broadcast[]> {
    const rows = await this.db.query<BroadcastRow>(
      'broadcasts.list-running',
      `SELECT ${COLUMNS} FROM broadcasts WHERE status = 'running' ORDER BY id`,
    );
    return rows.map(toBroadcast);
  }

  async listRecent(limit: number): Promise<Broadcast[]> {
    const rows = await this.db.query<BroadcastRow>(
      'broadcasts.list-recent',
      `SELECT ${COLUMNS} FROM broadcasts ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toBroadcast);
  }

  async stop(id: string): Promise<{ broadcast: Broadcast; stopped: boolean } | null> {
    const rows = await this.db.query<BroadcastRow>(
      'broadcasts.stop',
      `UPDATE broadcasts SET status = 'stopped', finished_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'running' RETURNING ${COLUMNS}`,
      [id],
    );
    if (rows[0]) return { broadcast: toBroadcast(rows[0]), stopped: true };
    const current = await this.get(id);
    return current ? { broadcast: current, stopped: false } : null;
  }

  /** Users who have not blocked the bot and are not banned; `active` also needs a subscription active now. */
  async recipients(audience: BroadcastAudience, afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>(
      'broadcasts.recipients',
      `SELECT u.id FROM users u
        WHERE u.id > $1 AND u.blocked_at IS NULL AND NOT u.is_banned
          AND ($3 = 'all' OR EXISTS (SELECT 1 FROM subscriptions s
                                      WHERE s.user_id = u.id AND s.status = 'active' AND s.expires_at > now()))
        ORDER BY u.id LIMIT $2`,
      [afterId, limit, audience],
    );
    return rows.map((r) => Number(r.id));
  }

  /** Counts are kept even when an admin stopped it meanwhile, so the totals stay true. */
  async advance(a: { id: string; cursor: number; sent: number; failed: number }): Promise<BroadcastStatus> {
    const rows = await this.db.query<{ status: BroadcastStatus }>(
      'broadcasts.advance',
      `UPDATE broadcasts SET cursor = GREATEST(cursor, $2), sent = sent + $3, failed = failed + $4, updated_at = now()
        WHERE id = $1 RETURNING status`,
      [a.id, a.cursor, a.sent, a.failed],
    );
    return rows[0]?.status ?? 'stopped';
  }

  async finish(id: string): Promise<Broadcast | null> {
    const rows = await this.db.query<BroadcastRow>(
      'broadcasts.finish',
      `UPDATE broadcasts SET status = 'done', finished_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'running' RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ? toBroadcast(rows[0]) : null;
  }
}
