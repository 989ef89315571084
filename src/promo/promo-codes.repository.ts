import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import type { PromoKind } from './promo-code.entity';
import { PROMO_COLUMNS as COLUMNS, toPromoCode, type PromoCode, type PromoCodeRow } from './promo-code';

export interface NewPromoCode {
  code: string;
  kind: PromoKind;
  value: number;
  planCodes: string[] | null;
  maxUses: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  newUsersOnly: boolean;
  firstPurchaseOnly: boolean;
  createdBy: number | null;
}

export interface Redemption {
  id: string;
  userId: number;
  createdAt: Date;
  /** Discount codes: the status of the purchase that spent it (null: not spent). */
  purchaseStatus: string | null;
}

export interface HeldDiscount {
  redemptionId: string;
  percent: number;
  planCodes: string[] | null;
  firstPurchaseOnly: boolean;
}

@Injectable()
export class PromoCodesRepository {
  constructor(private readonly db: DbService) {}

  async insert(c: NewPromoCode): Promise<PromoCode | null> {
    const rows = await this.db.query<PromoCodeRow>(
      'promo.insert',
      `INSERT INTO promo_codes (code, kind, value, plan_codes, max_uses, starts_at, ends_at, new_users_only,
                                first_purchase_only, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (code) DO NOTHING RETURNING ${COLUMNS}`,
      [
        c.code,
        c.kind,
        c.value,
        c.planCodes,
        c.maxUses,
        c.startsAt,
        c.endsAt,
        c.newUsersOnly,
        c.firstPurchaseOnly,
        c.createdBy,
      ],
    );
    return rows[0] ? toPromoCode(rows[0]) : null;
  }

  async findByCode(code: string): Promise<PromoCode | null> {
    const rows = await this.db.query<PromoCodeRow>(
      'promo.find',
      `SELECT ${COLUMNS} FROM promo_codes WHERE code = $1`,
      [code],
    );
    return rows[0] ? toPromoCode(rows[0]) : null;
  }

  async list(limit: number): Promise<PromoCode[]> {
    const rows = await this.db.query<PromoCodeRow>(
      'promo.list',
      `SELECT ${COLUMNS} FROM promo_codes ORDER BY active DESC, created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toPromoCode);
  }

  async deactivate(code: string): Promise<boolean> {
    const rows = await this.db.query(
      'promo.deactivate',
      `UPDATE promo_codes SET active = false WHERE code = $1 AND active RETURNING id`,
      [code],
    );
    return rows.length === 1;
  }

  /** false: this user redeemed the code before (the unique key decides, also between racing requests). */
  async insertRedemption(em: EntityManager, r: { codeId: string; userId: number }): Promise<string | null> {
    const rows = await queryRows<{ id: string }>(
      em,
      `INSERT INTO promo_redemptions (code_id, user_id) VALUES ($1, $2)
       ON CONFLICT (code_id, user_id) DO NOTHING RETURNING id`,
      [r.codeId, r.userId],
    );
    return rows[0]?.id ?? null;
  }

  /** The row lock serialises racers and re-evaluates the condition: uses never passes max_uses. */
  async takeUse(em: EntityManager, q: { id: string; now: Date }): Promise<boolean> {
    const rows = await queryRows(
      em,
      `UPDATE promo_codes SET uses = uses + 1
       WHERE id = $1 AND active AND (max_uses IS NULL OR uses < max_uses)
         AND (starts_at IS NULL OR starts_at <= $2) AND (ends_at IS NULL OR ends_at > $2)
       RETURNING id`,
      [q.id, q.now],
    );
    return rows.length === 1;
  }

  async redemptionsOf(codeId: string, limit: number): Promise<Redemption[]> {
    const rows = await this.db.query<{
      id: string;
      user_id: string;
      created_at: Date;
      status: string | null;
    }>(
      'promo.redemptions',
      `SELECT r.id, r.user_id, r.created_at,
              (SELECT p.status FROM purchases p WHERE p.promo_redemption_id = r.id
                ORDER BY (p.status IN ('paid', 'refunded')) DESC, p.created_at DESC LIMIT 1) AS status
         FROM promo_redemptions r WHERE r.code_id = $1 ORDER BY r.created_at DESC LIMIT $2`,
      [codeId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: Number(r.user_id),
      createdAt: r.created_at,
      purchaseStatus: r.status,
    }));
  }

  async unspentDiscounts(userId: number): Promise<HeldDiscount[]> {
    const rows = await this.db.query<{
      id: string;
      value: number;
      plan_codes: string[] | null;
      first_purchase_only: boolean;
    }>(
      'promo.unspent-discounts',
      `SELECT r.id, c.value, c.plan_codes, c.first_purchase_only
         FROM promo_redemptions r JOIN promo_codes c ON c.id = r.code_id
        WHERE r.user_id = $1 AND c.kind = 'discount'
          AND NOT EXISTS (SELECT 1 FROM purchases p
                           WHERE p.promo_redemption_id = r.id AND p.status IN ('paid', 'refunded'))
        ORDER BY c.value DESC, r.created_at`,
      [userId],
    );
    return rows.map((r) => ({
      redemptionId: r.id,
      percent: r.value,
      planCodes: r.plan_codes,
      firstPurchaseOnly: r.first_purchase_only,
    }));
  }

  /** "New" means: never had a subscription and never paid for anything. */
  async history(userId: number): Promise<{ hadSubscription: boolean; paidPurchases: number }> {
    const [r] = await this.db.query<{ had: boolean; paid: number }>(
      'promo.user-history',
      `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE user_id = $1) AS had,
              (SELECT count(*)::int FROM purchases WHERE user_id = $1 AND status IN ('paid', 'refunded')
                 AND provider <> 'admin') AS paid`,
      [userId],
    );
    return { hadSubscription: r.had, paidPurchases: r.paid };
  }

  async stats(now: Date): Promise<PromoStats> {
    const [c] = await this.db.query<{ total: number; last30: number }>(
      'promo.stats.redemptions',
      `SELECT count(*)::int AS total,
              (count(*) FILTER (WHERE created_at > $1::timestamptz - interval '30 days'))::int AS last30
         FROM promo_redemptions`,
      [now],
    );
    const revenue = await this.db.query<{ currency: string; sum: string; n: number }>(
      'promo.stats.revenue',
      `SELECT currency, sum(amount_minor) AS sum, count(*)::int AS n FROM purchases
        WHERE promo_redemption_id IS NOT NULL AND status = 'paid' AND provider <> 'admin'
          AND paid_at > $1::timestamptz - interval '30 days'
        GROUP BY currency ORDER BY currency`,
      [now],
    );
    return {
      redemptions: c.total,
      redemptions30Days: c.last30,
      discountedRevenue30Days: revenue.map((r) => ({
        currency: r.currency,
        amountMinor: Number(r.sum),
        purchases: r.n,
      })),
    };
  }
}

export interface PromoStats {
  redemptions: number;
  redemptions30Days: number;
  /** Paid purchases that used a discount (any provider but admin), per currency. */
  discountedRevenue30Days: { currency: string; amountMinor: number; purchases: number }[];
}
