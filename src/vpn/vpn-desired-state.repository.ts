import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/db.service';

export interface VpnTarget {
  subscriptionId: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
}

type DesiredKind = 'provision' | 'revoke';

/** A desired state for rows of a caller's statement; every field is SQL written by the caller. */
export interface VpnDesiredStateCtes {
  kind: DesiredKind;
  /** FROM clause of the targets, e.g. `expired e`. */
  from: string;
  subscriptionId: string;
  userId: string;
  vpnUuid: string;
  vpnEmail: string;
  /** SQL boolean; the column default (false) when left out. */
  notifyUser?: string;
  /** CTE names of the two writes. */
  supersededName: string;
  queuedName: string;
}

/**
 * SQL of the two writes of a desired state, as CTEs of one statement (the expiry sweep's batch): the opposite
 * operation still pending for the same UUID is superseded, then the new one is queued.
 */
export function vpnDesiredStateCtes(c: VpnDesiredStateCtes): string {
  const opposite: DesiredKind = c.kind === 'provision' ? 'revoke' : 'provision';
  const notifyColumn = c.notifyUser === undefined ? '' : ', notify_user';
  const notifyValue = c.notifyUser === undefined ? '' : `, ${c.notifyUser}`;
  return `${c.supersededName} AS (
         UPDATE vpn_operations o SET state = 'superseded', updated_at = now()
         FROM ${c.from}
         WHERE o.subscription_id = ${c.subscriptionId} AND o.vpn_uuid = ${c.vpnUuid} AND o.kind = '${opposite}' AND o.state = 'pending'
       ), ${c.queuedName} AS (
         INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email${notifyColumn})
         SELECT ${c.subscriptionId}, ${c.userId}, '${c.kind}', ${c.vpnUuid}, ${c.vpnEmail}${notifyValue} FROM ${c.from}
       )`;
}

/**
 * The only writer of desired VPN-core changes to the vpn_operations outbox, in the caller's transaction. A
 * new desired state supersedes the opposite operation for the same UUID while it is still pending, so the
 * worker never applies a stale one (a provision queued before an expiry must not add the user back afterwards).
 */
@Injectable()
export class VpnDesiredStateRepository {
  async provision(em: EntityManager, t: VpnTarget, opts: { notifyUser: boolean }): Promise<void> {
    await this.queue(em, [t], 'provision', opts.notifyUser);
  }

  async revoke(em: EntityManager, t: VpnTarget): Promise<void> {
    await this.queue(em, [t], 'revoke', false);
  }

  private async queue(
    em: EntityManager,
    targets: VpnTarget[],
    kind: DesiredKind,
    notifyUser: boolean,
  ): Promise<void> {
    const subscriptionIds = targets.map((t) => t.subscriptionId);
    const uuids = targets.map((t) => t.vpnUuid);
    await queryRows(
      em,
      `WITH ${vpnDesiredStateCtes({
        kind,
        from: 'unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::text[]) AS t(subscription_id, user_id, vpn_uuid, vpn_email)',
        subscriptionId: 't.subscription_id',
        userId: 't.user_id',
        vpnUuid: 't.vpn_uuid',
        vpnEmail: 't.vpn_email',
        notifyUser: '$5::boolean',
        supersededName: 'superseded',
        queuedName: 'queued',
      })}
       SELECT 1`,
      [subscriptionIds, targets.map((t) => t.userId), uuids, targets.map((t) => t.vpnEmail), notifyUser],
    );
  }
}

export function vpnTarget(s: { id: string; userId: number; vpnUuid: string; vpnEmail: string }): VpnTarget {
  return { subscriptionId: s.id, userId: s.userId, vpnUuid: s.vpnUuid, vpnEmail: s.vpnEmail };
}
