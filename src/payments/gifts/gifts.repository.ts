import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../../database/db.service';
import { GIFT_COLUMNS as COLUMNS, toGift, type Gift, type GiftRow } from './gift';

@Injectable()
export class GiftsRepository {
  constructor(private readonly db: DbService) {}

  /** Once per purchase: a repeated effect finds the gift it made. */
  async insert(
    em: EntityManager,
    g: {
      purchaseId: string;
      buyerId: number;
      planCode: string;
      days: number;
      refundMinor: number;
      expiresAt: Date;
    },
  ): Promise<Gift> {
    await queryRows(
      em,
      `INSERT INTO gifts (purchase_id, buyer_id, plan_code, days, refund_minor, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (purchase_id) DO NOTHING`,
      [g.purchaseId, g.buyerId, g.planCode, g.days, g.refundMinor, g.expiresAt],
    );
    return (await this.ofPurchase(em, g.purchaseId))!;
  }

  async ofPurchase(em: EntityManager, purchaseId: string): Promise<Gift | null> {
    const rows = await queryRows<GiftRow>(em, `SELECT ${COLUMNS} FROM gifts WHERE purchase_id = $1`, [
      purchaseId,
    ]);
    return rows[0] ? toGift(rows[0]) : null;
  }

  async findById(id: string): Promise<Gift | null> {
    const rows = await this.db.query<GiftRow>('gifts.find', `SELECT ${COLUMNS} FROM gifts WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toGift(rows[0]) : null;
  }

  async findByTokenHash(hash: string): Promise<Gift | null> {
    const rows = await this.db.query<GiftRow>(
      'gifts.find-by-token',
      `SELECT ${COLUMNS} FROM gifts WHERE token_hash = $1`,
      [hash],
    );
    return rows[0] ? toGift(rows[0]) : null;
  }

  async setTokenHash(q: { id: string; buyerId: number; hash: string; now: Date }): Promise<Gift | null> {
    const rows = await this.db.query<GiftRow>(
      'gifts.set-token',
      `UPDATE gifts SET token_hash = $3, updated_at = now()
       WHERE id = $1 AND buyer_id = $2 AND status = 'open' AND expires_at > $4 RETURNING ${COLUMNS}`,
      [q.id, q.buyerId, q.hash, q.now],
    );
    return rows[0] ? toGift(rows[0]) : null;
  }

  /** The exactly-once step of a redemption: only one caller moves an open gift to redeemed. */
  async markRedeemed(
    em: EntityManager,
    q: { hash: string; recipientId: number; now: Date },
  ): Promise<Gift | null> {
    const rows = await queryRows<GiftRow>(
      em,
      `UPDATE gifts SET status = 'redeemed', recipient_id = $2, redeemed_at = $3, updated_at = now()
       WHERE token_hash = $1 AND status = 'open' AND expires_at > $3 AND buyer_id <> $2 RETURNING ${COLUMNS}`,
      [q.hash, q.recipientId, q.now],
    );
    return rows[0] ? toGift(rows[0]) : null;
  }

  /** Open → refunded, once; `dueBy` limits it to gifts whose validity ended by then. */
  async markRefunded(em: EntityManager, q: { id: string; now: Date; dueBy?: Date }): Promise<Gift | null> {
    const rows = await queryRows<GiftRow>(
      em,
      `UPDATE gifts SET status = 'refunded', refunded_at = $2, token_hash = NULL, updated_at = now()
       WHERE id = $1 AND status = 'open' AND ($3::timestamptz IS NULL OR expires_at <= $3) RETURNING ${COLUMNS}`,
      [q.id, q.now, q.dueBy ?? null],
    );
    return rows[0] ? toGift(rows[0]) : null;
  }

  async dueForRefund(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      'gifts.due',
      `SELECT id FROM gifts WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async recent(limit: number): Promise<Gift[]> {
    const rows = await this.db.query<GiftRow>(
      'gifts.recent',
      `SELECT ${COLUMNS} FROM gifts ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toGift);
  }
}
