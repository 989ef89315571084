import { randomBytes, randomUUID } from 'node:crypto';
import type { DbService } from '../../src/database/db.service';

let nextUserId = 1_000;

export interface SubscriptionRow {
  id: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
  subToken: string;
}

/** A user and their subscription, inserted directly (the subscriptions module owns the real flow). */
export async function insertSubscription(
  db: DbService,
  opts: { status?: 'active' | 'expired' | 'revoked'; expiresInDays?: number } = {},
): Promise<SubscriptionRow> {
  const userId = nextUserId++ + Math.floor(Math.random() * 1e9);
  await db.query('test', `INSERT INTO users (id) VALUES ($1)`, [userId]);
  const row = {
    userId,
    vpnUuid: randomUUID(),
    vpnEmail: `u${userId}@vpn.local`,
    subToken: randomBytes(24).toString('base64url'),
  };
  const [{ id }] = await db.query<{ id: string }>(
    'test',
    `INSERT INTO subscriptions (user_id, status, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6), 'purchase') RETURNING id`,
    [userId, opts.status ?? 'active', row.vpnUuid, row.vpnEmail, row.subToken, opts.expiresInDays ?? 30],
  );
  return { id: String(id), ...row };
}

/** An outbox row as SubscriptionsService writes it. */
export async function insertOperation(
  db: DbService,
  sub: SubscriptionRow,
  kind: 'provision' | 'revoke',
  opts: { notifyUser?: boolean; vpnEmail?: string } = {},
): Promise<string> {
  const [{ id }] = await db.query<{ id: string }>(
    'test',
    `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, notify_user)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [sub.id, sub.userId, kind, sub.vpnUuid, opts.vpnEmail ?? sub.vpnEmail, opts.notifyUser ?? false],
  );
  return String(id);
}

export async function operation(db: DbService, id: string) {
  const [row] = await db.query<{
    state: string;
    attempts: number;
    last_error: string | null;
    next_attempt_at: Date;
  }>('test', `SELECT state, attempts, last_error, next_attempt_at FROM vpn_operations WHERE id = $1`, [id]);
  return row;
}
