import { Injectable } from '@nestjs/common';
import type { VpnNodeConfig, VpnNodeState } from '../config/vpn-nodes.schema';
import { DbService } from '../database/db.service';

export interface VpnNodeRow {
  code: string;
  name: string;
  country: string | null;
  tags: string[];
  capacity: number | null;
  state: VpnNodeState;
  firstSeenAt: Date | null;
}

@Injectable()
export class VpnNodesRepository {
  constructor(private readonly db: DbService) {}

  /** The configured state wins only when it changed since the last start: an admin's drain survives. */
  async sync(nodes: readonly VpnNodeConfig[]): Promise<void> {
    await this.db.transaction('vpn.nodes.sync', async (em) => {
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
      await em.query(
        `UPDATE vpn_nodes SET state = 'disabled', configured_state = 'disabled', updated_at = now()
          WHERE state <> 'disabled' AND NOT (code = ANY($1::text[]))`,
        [nodes.map((n) => n.code)],
      );
    });
  }

  findAll(): Promise<VpnNodeRow[]> {
    return this.db.query<VpnNodeRow>(
      'vpn.nodes.find-all',
      `SELECT code, name, country, tags, capacity, state, first_seen_at AS "firstSeenAt"
         FROM vpn_nodes ORDER BY created_at, code`,
    );
  }

  /** True only for the call that recorded first contact: a missing sentinel is then expected. */
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
      `UPDATE vpn_nodes SET state = $2, updated_at = now() WHERE code = $1 RETURNING code`,
      [code, state],
    );
    return rows.length === 1;
  }
}
