import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import { toUser, USER_COLUMNS, type User, type UserRow } from './user';

const COLUMNS = USER_COLUMNS;

export interface UpsertUserRow {
  id: number;
  username: string | null;
  firstName: string | null;
  languageCode: string;
  referrerId: number | null;
  now: Date;
}

@Injectable()
export class UsersRepository {
  constructor(private readonly db: DbService) {}

  /** Referrer only on INSERT, for another existing user; language is kept: the user may have chosen it. */
  async upsert(u: UpsertUserRow): Promise<{ user: User; created: boolean }> {
    const rows = await this.db.query<UserRow & { created: boolean }>(
      'users.upsert',
      `INSERT INTO users (id, username, first_name, language_code, referrer_id, last_seen_at)
       VALUES ($1, $2, $3, $4,
               (SELECT r.id FROM users r WHERE r.id = $5::bigint AND r.id <> $1::bigint), $6)
       ON CONFLICT (id) DO UPDATE
         SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
             last_seen_at = EXCLUDED.last_seen_at, blocked_at = NULL, updated_at = now()
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [u.id, u.username, u.firstName, u.languageCode, u.referrerId, u.now],
    );
    return { user: toUser(rows[0]), created: rows[0].created };
  }

  async findById(id: number): Promise<User | null> {
    const rows = await this.db.query<UserRow>('users.find', `SELECT ${COLUMNS} FROM users WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async touch(id: number, now: Date): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      'users.touch',
      `WITH hit AS (SELECT id FROM users WHERE id = $1),
       upd AS (
         UPDATE users SET last_seen_at = $2, blocked_at = NULL, updated_at = now()
         WHERE id = $1 AND (blocked_at IS NOT NULL OR last_seen_at IS NULL
                            OR last_seen_at < $2::timestamptz - interval '1 minute')
       )
       SELECT id FROM hit`,
      [id, now],
    );
    return rows.length === 1;
  }

  async markBlocked(id: number, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      'users.mark-blocked',
      `UPDATE users SET blocked_at = COALESCE(blocked_at, $2), updated_at = now() WHERE id = $1 RETURNING id`,
      [id, now],
    );
    return rows.length === 1;
  }

  async setLanguage(id: number, languageCode: string): Promise<boolean> {
    const rows = await this.db.query(
      'users.set-language',
      `UPDATE users SET language_code = $2, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, languageCode],
    );
    return rows.length === 1;
  }

  /** Balance and access changes lock here first (user, then subscription); NO KEY UPDATE spares inserts. */
  async lock(em: EntityManager, id: number): Promise<User | null> {
    const rows = await queryRows<UserRow>(
      em,
      `SELECT ${COLUMNS} FROM users WHERE id = $1 FOR NO KEY UPDATE`,
      [id],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async markTrialUsed(em: EntityManager, id: number, now: Date): Promise<void> {
    await queryRows(em, `UPDATE users SET trial_used_at = $2, updated_at = now() WHERE id = $1`, [id, now]);
  }

  /** The ledger's only way to move money; a negative balance fails on the table's check constraint. */
  async addToBalance(em: EntityManager, id: number, deltaMinor: number): Promise<number | null> {
    const rows = await queryRows<{ balance_minor: string }>(
      em,
      `UPDATE users SET balance_minor = balance_minor + $2, updated_at = now() WHERE id = $1
       RETURNING balance_minor`,
      [id, deltaMinor],
    );
    return rows.length ? Number(rows[0].balance_minor) : null;
  }

  async setBanned(em: EntityManager, id: number, banned: boolean): Promise<boolean> {
    const rows = await queryRows(
      em,
      `UPDATE users SET is_banned = $2, updated_at = now() WHERE id = $1 AND is_banned <> $2 RETURNING id`,
      [id, banned],
    );
    return rows.length === 1;
  }
}
