import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';

@Injectable()
export class ReferralRewardsRepository {
  constructor(private readonly db: DbService) {}

  async statsFor(referrerId: number): Promise<{ invited: number; earnedMinor: number }> {
    const rows = await this.db.query<{ invited: string; earned: string }>(
      'referrals.stats',
      `SELECT (SELECT count(*) FROM users WHERE referrer_id = $1) AS invited,
              (SELECT COALESCE(sum(amount_minor), 0) FROM referral_rewards WHERE referrer_id = $1) AS earned`,
      [referrerId],
    );
    return { invited: Number(rows[0].invited), earnedMinor: Number(rows[0].earned) };
  }

  async insert(
    em: EntityManager,
    r: { referrerId: number; refereeId: number; purchaseId: string; amountMinor: number },
  ): Promise<boolean> {
    const rows = await queryRows(
      em,
      `INSERT INTO referral_rewards (referrer_id, referee_id, purchase_id, amount_minor) VALUES ($1, $2, $3, $4)
       ON CONFLICT (purchase_id) DO NOTHING RETURNING id`,
      [r.referrerId, r.refereeId, r.purchaseId, r.amountMinor],
    );
    return rows.length === 1;
  }

  async lockForPurchase(
    em: EntityManager,
    purchaseId: string,
  ): Promise<{ referrerId: number; amountMinor: number; referrerBalance: number } | null> {
    const rows = await queryRows<{ referrer_id: string; amount_minor: string; balance_minor: string }>(
      em,
      `SELECT r.referrer_id, r.amount_minor, u.balance_minor FROM referral_rewards r
       JOIN users u ON u.id = r.referrer_id WHERE r.purchase_id = $1 FOR NO KEY UPDATE OF u`,
      [purchaseId],
    );
    const r = rows[0];
    return r
      ? {
          referrerId: Number(r.referrer_id),
          amountMinor: Number(r.amount_minor),
          referrerBalance: Number(r.balance_minor),
        }
      : null;
  }

  async setOwed(em: EntityManager, purchaseId: string, owedMinor: number): Promise<void> {
    await queryRows(em, `UPDATE referral_rewards SET owed_minor = $2 WHERE purchase_id = $1`, [
      purchaseId,
      owedMinor,
    ]);
  }

  async repayDebts(em: EntityManager, referrerId: number, amountMinor: number): Promise<number> {
    const debts = await queryRows<{ id: string; owed_minor: string }>(
      em,
      `SELECT id, owed_minor FROM referral_rewards WHERE referrer_id = $1 AND owed_minor > 0
       ORDER BY id FOR UPDATE`,
      [referrerId],
    );
    let used = 0;
    for (const d of debts) {
      const take = Math.min(Number(d.owed_minor), amountMinor - used);
      if (take <= 0) break;
      await queryRows(em, `UPDATE referral_rewards SET owed_minor = owed_minor - $2 WHERE id = $1`, [
        d.id,
        take,
      ]);
      used += take;
    }
    return used;
  }
}
