import { Injectable } from '@nestjs/common';
import { DbService, queryRows } from '../database/db.service';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import type { VpnOperationKind, VpnOperationState } from './vpn-operation.entity';

export interface ClaimedOperation {
  id: string;
  subscriptionId: string;
  userId: string;
  kind: VpnOperationKind;
  nodeCode: string;
  vpnUuid: string;
  vpnEmail: string;
  /** Attempts including this one; also the fencing token when the result is written back. */
  attempts: number;
  notifyUser: boolean;
}

export interface FailedOperation {
  id: string;
  subscriptionId: string;
  userId: string;
  kind: VpnOperationKind;
  nodeCode: string;
  vpnEmail: string;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

export interface Outcome {
  op: ClaimedOperation;
  error: string;
  delayMs?: number;
}

const CLAIMED_COLUMNS = `o.id, o.subscription_id AS "subscriptionId", o.user_id AS "userId", o.kind, o.node_code AS "nodeCode",
  o.vpn_uuid AS "vpnUuid", o.vpn_email AS "vpnEmail", o.attempts, o.notify_user AS "notifyUser"`;

@Injectable()
export class VpnOperationsRepository {
  constructor(
    private readonly db: DbService,
    private readonly notifications: NotificationsRepository,
  ) {}

  /** One per subscription (order matters); per-node lanes so a down node blocks no other. */
  claimDue(opts: { node: string; batch: number; lockMs: number }): Promise<ClaimedOperation[]> {
    return this.db.transaction('vpn.outbox.claim', (em) =>
      queryRows<ClaimedOperation>(
        em,
        `WITH due AS (
           SELECT c.id FROM vpn_operations c
           WHERE c.node_code = $3
             AND ((c.state = 'pending' AND c.next_attempt_at <= now())
                  OR (c.state = 'in_progress' AND c.locked_until < now()))
             AND NOT EXISTS (SELECT 1 FROM vpn_operations p
                             WHERE p.subscription_id = c.subscription_id AND p.node_code = c.node_code
                               AND p.id < c.id
                               AND p.state IN ('pending', 'in_progress'))
           ORDER BY c.next_attempt_at, c.id
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
         UPDATE vpn_operations o
            SET state = 'in_progress', attempts = o.attempts + 1,
                locked_until = now() + make_interval(secs => $2::double precision / 1000), updated_at = now()
           FROM due WHERE o.id = due.id
         RETURNING ${CLAIMED_COLUMNS}`,
        [opts.batch, opts.lockMs, opts.node],
      ),
    );
  }

  /** Marks operations done and, in the same transaction, queues the "key ready" notice once per key. */
  async complete(ops: ClaimedOperation[]): Promise<number> {
    if (!ops.length) return 0;
    return this.db.transaction('vpn.outbox.complete', async (em) => {
      const done = await queryRows<{ id: string }>(
        em,
        `UPDATE vpn_operations o
            SET state = 'done', completed_at = now(), locked_until = NULL, last_error = NULL, updated_at = now()
           FROM unnest($1::bigint[], $2::int[]) AS f(id, attempts)
          WHERE o.id = f.id AND o.attempts = f.attempts AND o.state = 'in_progress'
          RETURNING o.id`,
        [ops.map((o) => o.id), ops.map((o) => o.attempts)],
      );
      const doneIds = new Set(done.map((d) => String(d.id)));
      const notify = ops.filter((o) => doneIds.has(String(o.id)) && o.kind === 'provision' && o.notifyUser);
      await this.notifications.enqueueMany(
        em,
        notify.map((o) => ({
          userId: Number(o.userId),
          kind: 'key_ready' as const,
          dedupeKey: dedupeKeys.keyReady(o.subscriptionId, o.vpnUuid),
          payload: { subscriptionId: String(o.subscriptionId), vpnUuid: o.vpnUuid },
        })),
      );
      return done.length;
    });
  }

  /** Back to pending after `delayMs`; `countAttempt: false` when the call was never made (circuit open). */
  async reschedule(outcomes: Outcome[], opts: { countAttempt: boolean }): Promise<void> {
    if (!outcomes.length) return;
    await this.db.query(
      'vpn.outbox.reschedule',
      `UPDATE vpn_operations o
          SET state = 'pending', locked_until = NULL, last_error = f.error, updated_at = now(),
              attempts = CASE WHEN $5 THEN o.attempts ELSE o.attempts - 1 END,
              next_attempt_at = now() + make_interval(secs => f.delay_ms::double precision / 1000)
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[]) AS f(id, attempts, error, delay_ms)
        WHERE o.id = f.id AND o.attempts = f.attempts AND o.state = 'in_progress'`,
      [
        outcomes.map((o) => o.op.id),
        outcomes.map((o) => o.op.attempts),
        outcomes.map((o) => o.error),
        outcomes.map((o) => Math.round(o.delayMs ?? 0)),
        opts.countAttempt,
      ],
    );
  }

  async fail(outcomes: Outcome[]): Promise<void> {
    if (!outcomes.length) return;
    await this.db.query(
      'vpn.outbox.fail',
      `UPDATE vpn_operations o
          SET state = 'failed', locked_until = NULL, last_error = f.error, updated_at = now()
         FROM unnest($1::bigint[], $2::int[], $3::text[]) AS f(id, attempts, error)
        WHERE o.id = f.id AND o.attempts = f.attempts AND o.state = 'in_progress'`,
      [outcomes.map((o) => o.op.id), outcomes.map((o) => o.op.attempts), outcomes.map((o) => o.error)],
    );
  }

  listFailed(limit: number): Promise<FailedOperation[]> {
    return this.db.query<FailedOperation>(
      'vpn.operations.failed',
      `SELECT id, subscription_id AS "subscriptionId", user_id AS "userId", kind, node_code AS "nodeCode",
              vpn_email AS "vpnEmail",
              attempts, last_error AS "lastError", updated_at AS "updatedAt"
         FROM vpn_operations WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }

  /** Only the newest of its subscription: an old revoke would remove the newer key (same e-mail). */
  async retry(id: string): Promise<boolean> {
    return (await this.retryMany([id])).length === 1;
  }

  /** Requeues the given failed operations (each only if no newer one exists for its subscription) at once. */
  async retryMany(ids: string[]): Promise<{ id: string; nodeCode: string }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{ id: string; nodeCode: string }>(
      'vpn.operations.retry',
      `UPDATE vpn_operations o
          SET state = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
        WHERE o.id = ANY($1::bigint[]) AND o.state = 'failed'
          AND NOT EXISTS (SELECT 1 FROM vpn_operations n
                           WHERE n.subscription_id = o.subscription_id AND n.node_code = o.node_code AND n.id > o.id)
        RETURNING o.id, o.node_code AS "nodeCode"`,
      [ids],
    );
    return rows.map((r) => ({ id: String(r.id), nodeCode: r.nodeCode }));
  }

  async countByState(): Promise<Record<VpnOperationState, number>> {
    const rows = await this.db.query<{ state: VpnOperationState; n: string }>(
      'vpn.operations.counts',
      `SELECT state, count(*) AS n FROM vpn_operations GROUP BY state`,
    );
    const out = { pending: 0, in_progress: 0, done: 0, failed: 0, superseded: 0 };
    for (const r of rows) out[r.state] = Number(r.n);
    return out;
  }
}
