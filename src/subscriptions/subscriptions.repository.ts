import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbService, queryRows } from '../database/db.service';
import {
  SUBSCRIPTION_COLUMNS as COLUMNS,
  toSubscription,
  type Subscription,
  type SubscriptionRow,
} from './subscription';
import type { GrantSource } from './subscription.entity';

export interface NewSubscription {
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
  subToken: string;
  expiresAt: Date;
  isTrial: boolean;
  planCode: string | null;
  source: GrantSource;
}

export interface Extension {
  id: string;
  expiresAt: Date;
  isTrial: boolean;
  planCode: string | null;
  source: GrantSource;
}

export interface GrantRecord {
  subscriptionId: string;
  source: GrantSource;
  days: number;
  purchaseId: string | null;
  requestKey: string | null;
  expiresBefore: Date;
  expiresAfter: Date;
}

export interface GrantRow {
  id: string;
  subscriptionId: string;
  days: number;
  revokedAt: Date | null;
}

@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly db: DbService) {}

  async findByUser(userId: number): Promise<Subscription | null> {
    const rows = await this.db.query<SubscriptionRow>(
      'subscriptions.find-by-user',
      `SELECT ${COLUMNS} FROM subscriptions WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  /** Take the user's row lock first (UsersRepository.lock): the order is always user, then subscription. */
  async lockByUser(em: EntityManager, userId: number): Promise<Subscription | null> {
    const rows = await queryRows<SubscriptionRow>(
      em,
      `SELECT ${COLUMNS} FROM subscriptions WHERE user_id = $1 FOR UPDATE`,
      [userId],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async insert(em: EntityManager, s: NewSubscription): Promise<Subscription> {
    const rows = await queryRows<SubscriptionRow>(
      em,
      `INSERT INTO subscriptions (user_id, vpn_uuid, vpn_email, sub_token, expires_at, is_trial, plan_code,
                                  last_grant_source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [s.userId, s.vpnUuid, s.vpnEmail, s.subToken, s.expiresAt, s.isTrial, s.planCode, s.source],
    );
    return toSubscription(rows[0]);
  }

  async extend(em: EntityManager, e: Extension): Promise<Subscription> {
    const rows = await queryRows<SubscriptionRow>(
      em,
      `UPDATE subscriptions SET expires_at = $2, status = 'active', expired_at = NULL, is_trial = $3,
              plan_code = $4, last_grant_source = $5, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [e.id, e.expiresAt, e.isTrial, e.planCode, e.source],
    );
    return toSubscription(rows[0]);
  }

  async replaceCredentials(
    em: EntityManager,
    c: { id: string; vpnUuid: string; subToken: string; now: Date },
  ): Promise<Subscription> {
    const rows = await queryRows<SubscriptionRow>(
      em,
      `UPDATE subscriptions SET vpn_uuid = $2, sub_token = $3, reissued_at = $4, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [c.id, c.vpnUuid, c.subToken, c.now],
    );
    return toSubscription(rows[0]);
  }

  async setAutoRenew(em: EntityManager, id: string, enabled: boolean): Promise<Subscription> {
    const rows = await queryRows<SubscriptionRow>(
      em,
      `UPDATE subscriptions SET auto_renew = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, enabled],
    );
    return toSubscription(rows[0]);
  }

  async setExpiry(em: EntityManager, s: { id: string; expiresAt: Date; now: Date }): Promise<Subscription> {
    const rows = await queryRows<SubscriptionRow>(
      em,
      `UPDATE subscriptions
       SET expires_at = $2,
           status = CASE WHEN $2::timestamptz <= $3::timestamptz AND status = 'active' THEN 'expired' ELSE status END,
           expired_at = CASE WHEN $2::timestamptz <= $3::timestamptz AND status = 'active' THEN $3 ELSE expired_at END,
           updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [s.id, s.expiresAt, s.now],
    );
    return toSubscription(rows[0]);
  }

  async insertGrant(em: EntityManager, g: GrantRecord): Promise<void> {
    await queryRows(
      em,
      `INSERT INTO subscription_grants
         (subscription_id, source, days, purchase_id, request_key, expires_before, expires_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [g.subscriptionId, g.source, g.days, g.purchaseId, g.requestKey, g.expiresBefore, g.expiresAfter],
    );
  }

  async grantOfRequest(
    em: EntityManager,
    requestKey: string,
  ): Promise<{ expiresBefore: Date; subscriptionId: string } | null> {
    const rows = await queryRows<{ expires_before: Date; subscription_id: string }>(
      em,
      `SELECT expires_before, subscription_id FROM subscription_grants WHERE request_key = $1`,
      [requestKey],
    );
    return rows[0]
      ? { expiresBefore: rows[0].expires_before, subscriptionId: String(rows[0].subscription_id) }
      : null;
  }

  async lockGrantOfPurchase(em: EntityManager, purchaseId: string): Promise<GrantRow | null> {
    const rows = await queryRows<{
      id: string;
      subscription_id: string;
      days: number;
      revoked_at: Date | null;
    }>(
      em,
      `SELECT id, subscription_id, days, revoked_at FROM subscription_grants WHERE purchase_id = $1 FOR UPDATE`,
      [purchaseId],
    );
    const r = rows[0];
    return r
      ? { id: r.id, subscriptionId: String(r.subscription_id), days: r.days, revokedAt: r.revoked_at }
      : null;
  }

  async markGrantRevoked(em: EntityManager, id: string, now: Date): Promise<void> {
    await queryRows(em, `UPDATE subscription_grants SET revoked_at = $2 WHERE id = $1`, [id, now]);
  }
}
