import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { type DbService, queryRows } from '../database/db.service';
import { tagsAllow } from './node-placement';
import type { NodePlacement } from './vpn-subscriptions.repository';

export { tagsAllow };
import { overTrafficLimitSql } from '../traffic/traffic-sql';

export interface VpnTarget {
  subscriptionId: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
  isTrial?: boolean;
  planCode?: string | null;
}

type DesiredKind = 'provision' | 'revoke';

export interface VpnDesiredStateCtes {
  kind: DesiredKind;
  from: string;
  subscriptionId: string;
  userId: string;
  vpnUuid: string;
  vpnEmail: string;
  notifyUser?: string;
  /** Default for a revoke: every node in service (disabled ones were emptied already). */
  nodeFilter?: string;
  supersededName: string;
  queuedName: string;
}

const REVOKE_NODES = `n.state IN ('active', 'draining')`;

/** Supersede the opposite pending operation per node, then queue the new one: CTEs of one statement. */
export function vpnDesiredStateCtes(c: VpnDesiredStateCtes): string {
  const opposite: DesiredKind = c.kind === 'provision' ? 'revoke' : 'provision';
  const notifyColumn = c.notifyUser === undefined ? '' : ', notify_user';
  const notifyValue = c.notifyUser === undefined ? '' : `, ${c.notifyUser}`;
  const nodes = c.nodeFilter ?? REVOKE_NODES;
  return `${c.supersededName} AS (
         UPDATE vpn_operations o SET state = 'superseded', updated_at = now()
         FROM ${c.from}
         WHERE o.subscription_id = ${c.subscriptionId} AND o.vpn_uuid = ${c.vpnUuid} AND o.kind = '${opposite}' AND o.state = 'pending'
           AND EXISTS (SELECT 1 FROM vpn_nodes n WHERE n.code = o.node_code AND ${nodes})
       ), ${c.queuedName} AS (
         INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, node_code${notifyColumn})
         SELECT ${c.subscriptionId}, ${c.userId}, '${c.kind}', ${c.vpnUuid}, ${c.vpnEmail}, n.code${notifyValue}
           FROM ${c.from} CROSS JOIN vpn_nodes n WHERE ${nodes}
       )`;
}

/** Falls back to every active node so a paid key lands somewhere. Mirrors node-placement.ts. */
export function provisionNodesSql(tags: string, subscriptionId: string): string {
  const eligible = (a: string, m: string) =>
    `${a}.state = 'active' AND (cardinality(${tags}) = 0 OR ${a}.tags && ${tags}
       OR NOT EXISTS (SELECT 1 FROM vpn_nodes ${m} WHERE ${m}.state = 'active' AND (cardinality(${tags}) = 0 OR ${m}.tags && ${tags})))`;
  const roomy = (a: string) =>
    `(${a}.capacity IS NULL
       OR EXISTS (SELECT 1 FROM vpn_operations p WHERE p.subscription_id = ${subscriptionId}
                   AND p.node_code = ${a}.code AND p.kind = 'provision' AND p.state <> 'superseded')
       OR ${nodeLoadSql(`${a}.code`)} < ${a}.capacity)`;
  return `${eligible('n', 'm')} AND (${roomy('n')}
            OR NOT EXISTS (SELECT 1 FROM vpn_nodes k WHERE ${eligible('k', 'q')} AND ${roomy('k')}))`;
}

/** Users a node holds for capacity: active subscriptions with a live provision there (SQL over `code`). */
export function nodeLoadSql(code: string): string {
  return `(SELECT count(DISTINCT l.subscription_id) FROM vpn_operations l
             JOIN subscriptions ls ON ls.id = l.subscription_id AND ls.status = 'active'
            WHERE l.node_code = ${code} AND l.kind = 'provision' AND l.state IN ('pending', 'in_progress', 'done'))`;
}

/** Node tags a subscription may use (empty: every node). Plans no longer configured may use every node. */
export function nodeTagsFor(config: AppConfig, t: Pick<VpnTarget, 'isTrial' | 'planCode'>): string[] {
  if (t.isTrial) return [...config.subscriptions.trialNodeTags];
  return config.subscriptions.plans.find((p) => p.code === t.planCode)?.nodeTags ?? [];
}

/** Only outbox writer; superseding the opposite pending operation keeps stale ones from applying. */
@Injectable()
export class VpnDesiredStateRepository {
  constructor(private readonly config: AppConfig) {}

  async provision(em: EntityManager, t: VpnTarget, opts: { notifyUser: boolean }): Promise<void> {
    await this.queue(em, t, 'provision', opts.notifyUser, provisionNodesSql('$6::text[]', '$1::bigint'));
  }

  async revoke(em: EntityManager, t: VpnTarget): Promise<void> {
    await this.queue(em, t, 'revoke', false, REVOKE_NODES);
  }

  /** Backfill within capacity; one short statement per batch. */
  async backfillNode(
    db: DbService,
    node: NodePlacement & { capacity?: number | null },
    limit: number,
  ): Promise<number> {
    const rows = await db.query<{ n: string }>(
      'vpn.nodes.backfill',
      `WITH due AS (
         SELECT s.id, s.user_id, s.vpn_uuid, s.vpn_email FROM subscriptions s
           JOIN users u ON u.id = s.user_id
          WHERE s.status = 'active' AND NOT u.is_banned AND NOT ${overTrafficLimitSql('s.id')}
            AND CASE WHEN s.is_trial THEN $2::boolean
                     ELSE s.plan_code IS NULL OR NOT (s.plan_code = ANY($3::text[])) END
            AND COALESCE((SELECT o.kind FROM vpn_operations o
                           WHERE o.subscription_id = s.id AND o.node_code = $1 AND o.state <> 'superseded'
                           ORDER BY o.id DESC LIMIT 1), 'revoke') = 'revoke'
          ORDER BY s.id
          LIMIT CASE WHEN $5::int IS NULL THEN $4
                     ELSE greatest(0, least($4, $5::int - ${nodeLoadSql('$1')})) END
       ), queued AS (
         INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, node_code)
         SELECT id, user_id, 'provision', vpn_uuid, vpn_email, $1 FROM due RETURNING 1
       )
       SELECT count(*) AS n FROM queued`,
      [node.code, node.trialAllowed, node.deniedPlans, limit, node.capacity ?? null],
    );
    return Number(rows[0].n);
  }

  /** Disabled node: revoke everything it holds or is about to get, one short statement per batch. */
  async revokeAllOnNode(db: DbService, code: string, limit: number): Promise<number> {
    const rows = await db.query<{ n: string }>(
      'vpn.nodes.revoke-all',
      `WITH latest AS (
         SELECT DISTINCT ON (o.subscription_id) o.subscription_id, o.user_id, o.vpn_uuid, o.vpn_email, o.kind, o.state
           FROM vpn_operations o WHERE o.node_code = $1 AND o.state <> 'superseded'
          ORDER BY o.subscription_id, o.id DESC
       ), due AS (
         SELECT * FROM latest WHERE kind = 'provision' ORDER BY subscription_id LIMIT $2
       ), superseded AS (
         UPDATE vpn_operations o SET state = 'superseded', updated_at = now() FROM due
          WHERE o.subscription_id = due.subscription_id AND o.node_code = $1
            AND o.kind = 'provision' AND o.state = 'pending'
       ), queued AS (
         INSERT INTO vpn_operations (subscription_id, user_id, kind, vpn_uuid, vpn_email, node_code)
         SELECT subscription_id, user_id, 'revoke', vpn_uuid, vpn_email, $1 FROM due RETURNING 1
       )
       SELECT count(*) AS n FROM queued`,
      [code, limit],
    );
    return Number(rows[0].n);
  }

  /** Without fresh statistics after a bulk enqueue the claim's anti-join turns quadratic. */
  async refreshStatistics(db: DbService): Promise<void> {
    await db.query('vpn.nodes.analyze', 'ANALYZE vpn_operations');
  }

  private async queue(
    em: EntityManager,
    t: VpnTarget,
    kind: DesiredKind,
    notifyUser: boolean,
    nodeFilter: string,
  ): Promise<void> {
    await queryRows(
      em,
      `WITH ${vpnDesiredStateCtes({
        kind,
        from: '(SELECT $1::bigint, $2::bigint, $3::uuid, $4::text) AS t(subscription_id, user_id, vpn_uuid, vpn_email)',
        subscriptionId: 't.subscription_id',
        userId: 't.user_id',
        vpnUuid: 't.vpn_uuid',
        vpnEmail: 't.vpn_email',
        notifyUser: '$5::boolean',
        nodeFilter,
        supersededName: 'superseded',
        queuedName: 'queued',
      })}
       SELECT 1`,
      [
        t.subscriptionId,
        t.userId,
        t.vpnUuid,
        t.vpnEmail,
        notifyUser,
        ...(kind === 'provision' ? [nodeTagsFor(this.config, t)] : []),
      ],
    );
  }
}

export function vpnTarget(s: {
  id: string;
  userId: number;
  vpnUuid: string;
  vpnEmail: string;
  isTrial?: boolean;
  planCode?: string | null;
}): VpnTarget {
  return {
    subscriptionId: s.id,
    userId: s.userId,
    vpnUuid: s.vpnUuid,
    vpnEmail: s.vpnEmail,
    isTrial: s.isTrial,
    planCode: s.planCode,
  };
}
