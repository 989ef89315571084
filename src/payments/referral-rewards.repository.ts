import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/db.service';

@Injectable()
export class ReferralRewardsRepository {
  /** False when this purchase was rewarded already. */
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

  /** The reward paid for a purchase, with the referrer's balance, locking the referrer. */
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
}
