import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { VpnNodeConfig, VpnNodeState } from '../config/vpn-nodes.schema';
import { DbService, queryRows } from '../database/db.service';
import { nodeLoadSql } from './vpn-desired-state.repository';
import type { VpnNodeRowState } from './vpn-node.entity';

export interface VpnNodeRow {
  code: string;
  name: string;
  country: string | null;
  tags: string[];
  capacity: number | null;
  state: VpnNodeRowState;
  firstSeenAt: Date | null;
}

export interface RetiredNodes {
  codes: string[];
  /** Operations still queued for them, superseded: no core is configured to take them. */
  superseded: number;
}

@Injectable()
export class VpnNodesRepository {
  constructor(private readonly db: DbService) {}

  /** Configured state wins only when it changed, so an admin's drain survives restarts. */
  async sync(nodes: readonly VpnNodeConfig[]): Promise<RetiredNodes> {
    return this.db.transaction('vpn.nodes.sync', async (em) => {
      await em.query(
        `INSERT INTO vpn_nodes (code, name, country, tags, capacity, state, configured_state)
         SELECT x.code, x.name, x.country, x.tags, x.capacity, x.state, x.state
           FROM jsonb_to_recordset($1::jsonb)
             AS x(code text, name text, country text, tags text[], capacity int, state text)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country,
           tags = EXCLUDED.tags, capacity = EXCLUDED.capacity, configured_state = EXCLUDED.configured_state,
           state = CASE WHEN vpn_nodes.configured_state = EXCLUDED.configured_state
                        THEN vpn_nodes.state ELSE EXCLUDED.state END,
           updated_at = now()`,
        [
          JSON.stringify(
            nodes.map((n) => ({
              code: n.code,
              name: n.name,
              country: n.country ?? null,
              tags: n.tags,
              capacity: n.capacity ?? null,
              state: n.state,
            })),
          ),
        ],
      );
      const retired = await queryRows<{ code: string }>(
        em,
        `UPDATE vpn_nodes SET state = 'retired', configured_state = 'retired', first_seen_at = NULL,
                down_since = NULL, full_since = NULL, updated_at = now()
          WHERE state <> 'retired' AND NOT (code = ANY($1::text[])) RETURNING code`,
        [nodes.map((n) => n.code)],
      );
      const superseded = await queryRows<{ id: string }>(
        em,
        `UPDATE vpn_operations o SET state = 'superseded', locked_until = NULL, updated_at = now()
           FROM vpn_nodes n
          WHERE n.code = o.node_code AND n.state = 'retired' AND o.state IN ('pending', 'in_progress')
          RETURNING o.id`,
      );
      return { codes: retired.map((r) => r.code), superseded: superseded.length };
    });
  }

  findAll(): Promise<VpnNodeRow[]> {
    return this.db.query<VpnNodeRow>(
      'vpn.nodes.find-all',
      `SELECT code, name, country, tags, capacity, state, first_seen_at AS "firstSeenAt"
         FROM vpn_nodes ORDER BY created_at, code`,
    );
  }

  /** True only for the recording call: a missing sentinel is then expected, not lost state. */
  async markSeen(code: string): Promise<boolean> {
    const rows = await this.db.query<{ code: string }>(
      'vpn.nodes.seen',
      `UPDATE vpn_nodes SET first_seen_at = now(), updated_at = now()
        WHERE code = $1 AND first_seen_at IS NULL RETURNING code`,
      [code],
    );
    return rows.length === 1;
  }

  async setState(code: string, state: VpnNodeState): Promise<boolean> {
    const rows = await this.db.query<{ code: string }>(
      'vpn.nodes.set-state',
      `UPDATE vpn_nodes SET state = $2, updated_at = now() WHERE code = $1 AND state <> 'retired' RETURNING code`,
      [code, state],
    );
    return rows.length === 1;
  }

  async loads(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ code: string; n: number }>(
      'vpn.nodes.loads',
      `SELECT n.code, ${nodeLoadSql('n.code')}::int AS n FROM vpn_nodes n WHERE n.capacity IS NOT NULL`,
    );
    return new Map(rows.map((r) => [r.code, r.n]));
  }

  async placedOn(subscriptionId: string, vpnUuid: string): Promise<Set<string>> {
    const rows = await this.db.query<{ code: string }>(
      'vpn.nodes.placed-on',
      `SELECT DISTINCT node_code AS code FROM vpn_operations
        WHERE subscription_id = $1 AND vpn_uuid = $2 AND kind = 'provision' AND state <> 'superseded'`,
      [subscriptionId, vpnUuid],
    );
    return new Set(rows.map((r) => r.code));
  }

  /** Opens an outage of a node in service; its start when this call opened it, else undefined. */
  async openDown(em: EntityManager, code: string): Promise<Date | undefined> {
    const rows = await queryRows<{ since: Date }>(
      em,
      `UPDATE vpn_nodes SET down_since = now(), updated_at = now()
        WHERE code = $1 AND down_since IS NULL AND state IN ('active', 'draining') RETURNING down_since AS since`,
      [code],
    );
    return rows[0]?.since;
  }

  /** Closes a node's outage; the start of the outage it closed, else undefined. */
  async closeDown(em: EntityManager, code: string): Promise<Date | undefined> {
    const rows = await queryRows<{ since: Date }>(
      em,
      `UPDATE vpn_nodes n SET down_since = NULL, updated_at = now() FROM vpn_nodes old
        WHERE n.code = $1 AND old.code = n.code AND n.down_since IS NOT NULL RETURNING old.down_since AS since`,
      [code],
    );
    return rows[0]?.since;
  }

  /** Opens (full) or closes a full-capacity episode; the start of an episode this call opened. */
  async markFull(em: EntityManager, code: string, full: boolean): Promise<Date | undefined> {
    if (!full) {
      await queryRows(
        em,
        `UPDATE vpn_nodes SET full_since = NULL WHERE code = $1 AND full_since IS NOT NULL`,
        [code],
      );
      return undefined;
    }
    const rows = await queryRows<{ since: Date }>(
      em,
      `UPDATE vpn_nodes SET full_since = now(), updated_at = now()
        WHERE code = $1 AND full_since IS NULL AND state = 'active' RETURNING full_since AS since`,
      [code],
    );
    return rows[0]?.since;
  }
}
