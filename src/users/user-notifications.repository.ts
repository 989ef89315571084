import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/db.service';

/** Kinds of user-visible notices; the Telegram sender renders each one. */
export const notificationKinds = [
  'payment_received',
  'topup_received',
  'subscription_renewed',
  'key_ready',
  'expiring_soon',
  'trial_ending',
  'subscription_expired',
  'renewal_failed_insufficient_funds',
  'referral_reward',
  'refund_processed',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export interface NotificationInput {
  userId: number;
  kind: NotificationKind;
  /** At most one notice per key, ever: e.g. `renewed:<purchaseId>`, `reminder:<subId>:<kind>:<epoch>`. */
  dedupeKey: string;
  payload?: Record<string, unknown>;
}

/** Writes the notifications outbox inside the caller's transaction, next to the change that causes it. */
@Injectable()
export class UserNotificationsRepository {
  /** True when written, false when a notice with this dedupe key already exists. */
  async enqueue(em: EntityManager, n: NotificationInput): Promise<boolean> {
    const rows = await queryRows(
      em,
      `INSERT INTO notifications (user_id, kind, dedupe_key, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [n.userId, n.kind, n.dedupeKey, JSON.stringify(n.payload ?? {})],
    );
    return rows.length === 1;
  }

  /** Cancels notices not sent yet that became wrong (a reminder for a period that was just renewed). */
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
}
