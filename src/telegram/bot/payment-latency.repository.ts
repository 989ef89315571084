import { Injectable } from '@nestjs/common';
import { DbService } from '../../database/db.service';

export interface PaymentToKey {
  /** The purchase's provider (crypto_pay, stars, balance, admin), or the grant's source without one (trial). */
  provider: string;
  seconds: number;
}

/** Reads, for payment_to_key_seconds, how long ago the access that a key notice answers was paid for. */
@Injectable()
export class PaymentLatencyRepository {
  constructor(private readonly db: DbService) {}

  /** None after a reissue: that key answers the reissue, not a payment. */
  async sinceGrant(subscriptionId: string): Promise<PaymentToKey | undefined> {
    const rows = await this.db.query<{ provider: string; seconds: number }>(
      'payments.latency',
      `SELECT coalesce(p.provider, g.source) AS provider,
              extract(epoch FROM clock_timestamp() - coalesce(p.paid_at, g.created_at))::float8 AS seconds
         FROM subscription_grants g
         JOIN subscriptions s ON s.id = g.subscription_id
         LEFT JOIN purchases p ON p.id = g.purchase_id
        WHERE g.subscription_id = $1 AND g.revoked_at IS NULL
          AND (s.reissued_at IS NULL OR s.reissued_at < g.created_at)
        ORDER BY g.id DESC LIMIT 1`,
      [subscriptionId],
    );
    return rows[0]
      ? { provider: rows[0].provider, seconds: Math.max(0, Number(rows[0].seconds)) }
      : undefined;
  }
}
