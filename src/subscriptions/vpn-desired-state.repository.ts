import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/db.service';

export interface VpnTarget {
  subscriptionId: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
}

/**
 * Writes desired VPN-core changes to the vpn_operations outbox, in the caller's transaction. A new desired
 * state supersedes the opposite operation for the same UUID while it is still pending, so the worker never
 * applies a stale one (a provision queued before an expiry must not add the user back afterwards).
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
    kind: 'provision' | 'revoke',
    notifyUser: boolean,
  ): Promise<void> {
    const subscriptionIds = targets.map((t) => t.subscriptionId);
    const uuids = targets.map((t) => t.vpnUuid);
    await queryRows(
      em,
      `UPDATE vpn_operations o SET state = 'superseded', updated_at = now()
       FROM unnest($1::bigint[], $2::uuid[]) AS t(subscription_id, vpn_uuid)
       WHERE o.subscription_id = t.subscription_id AND o.vpn_uuid = t.vpn_uuid
         AND o.state = 'pending' AND o.kind = $3`,
      [subscriptionIds, uuids, kind === 'provision' ? 'revoke' : 'provision'],
    );
    await queryRows(
      em,
      `INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, notify_user)
       SELECT t.subscription_id, t.user_id, $5, t.vpn_uuid, t.vpn_email, $6
       FROM unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::text[])
         AS t(subscription_id, user_id, vpn_uuid, vpn_email)`,
      [
        subscriptionIds,
        targets.map((t) => t.userId),
        uuids,
        targets.map((t) => t.vpnEmail),
        kind,
        notifyUser,
      ],
    );
  }
}

export function vpnTarget(s: { id: string; userId: number; vpnUuid: string; vpnEmail: string }): VpnTarget {
  return { subscriptionId: s.id, userId: s.userId, vpnUuid: s.vpnUuid, vpnEmail: s.vpnEmail };
}
