import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { VpnNodeState } from '../config/vpn-nodes.schema';
import { DbService } from '../database/db.service';
import { placementOf } from './node-placement';
import { VpnDesiredStateRepository } from './vpn-desired-state.repository';
import type { VpnNodeRowState } from './vpn-node.entity';
import { VpnNodeAlertsService } from './vpn-node-alerts.service';
import { VpnNodesRepository } from './vpn-nodes.repository';

const BATCH = 500;

export interface NodeOverview {
  code: string;
  name: string;
  state: VpnNodeRowState;
  capacity: number | null;
  users: number;
  backlog: number;
  failed: number;
  lastError: string | null;
}

@Injectable()
export class VpnNodesService {
  private readonly logger = new Logger('VpnNodesService');
  /** The last overview, for /metrics and /health/ready (a scrape never reads the database). */
  figures = new Map<string, NodeOverview>();

  constructor(
    private readonly config: AppConfig,
    private readonly db: DbService,
    private readonly nodes: VpnNodesRepository,
    private readonly desired: VpnDesiredStateRepository,
    private readonly alerts: VpnNodeAlertsService,
  ) {}

  async setState(code: string, state: VpnNodeState): Promise<boolean> {
    if (!(await this.nodes.setState(code, state))) return false;
    this.logger.log(`VPN node ${code} set to ${state}`);
    if (state === 'disabled') {
      let n: number;
      let total = 0;
      do total += n = await this.desired.revokeAllOnNode(this.db, code, BATCH);
      while (n === BATCH);
      this.logger.log(`VPN node ${code} disabled: ${total} key(s) queued for removal`);
      if (total >= BATCH) await this.refreshStatistics();
    }
    if (state === 'active') await this.backfill(code);
    return true;
  }

  async backfill(code: string, signal?: AbortSignal): Promise<number> {
    const node = this.config.vpn.nodes.find((n) => n.code === code);
    const fleet = await this.nodes.findAll();
    const row = fleet.find((n) => n.code === code);
    if (!node || row?.state !== 'active') return 0;
    const scope = { ...placementOf(this.config, row, fleet), capacity: node.capacity };
    let n: number;
    let total = 0;
    do total += n = await this.desired.backfillNode(this.db, scope, BATCH);
    while (n === BATCH && !signal?.aborted);
    if (total) this.logger.log(`VPN node ${code} backfilled: ${total} key(s) queued`);
    if (total >= BATCH) await this.refreshStatistics();
    return total;
  }

  private async refreshStatistics(): Promise<void> {
    try {
      await this.desired.refreshStatistics(this.db);
    } catch (err) {
      this.logger.warn(`ANALYZE vpn_operations after a bulk enqueue failed: ${(err as Error).message}`);
    }
  }

  /** Refreshes the figures and each node's full-capacity episode (the admin is told when one opens). */
  async refreshFigures(): Promise<Map<string, NodeOverview>> {
    const overview = await this.overview();
    this.figures = new Map(overview.map((n) => [n.code, n]));
    const loads = await this.nodes.loads();
    for (const n of overview) {
      if (n.capacity === null || n.state === 'retired') continue;
      const users = loads.get(n.code) ?? 0;
      if (await this.alerts.full(n.code, users >= n.capacity, { users, capacity: n.capacity }))
        this.logger.warn(`VPN node ${n.code} is full (${users}/${n.capacity}): new users go to other nodes`);
    }
    return this.figures;
  }

  async overview(): Promise<NodeOverview[]> {
    return this.db.query<NodeOverview>(
      'vpn.nodes.overview',
      `SELECT n.code, n.name, n.state, n.capacity,
              (SELECT count(*)::int FROM (
                 SELECT DISTINCT ON (o.subscription_id) o.kind, o.state FROM vpn_operations o
                  WHERE o.node_code = n.code AND o.state <> 'superseded'
                  ORDER BY o.subscription_id, o.id DESC) l
                WHERE l.kind = 'provision' AND l.state = 'done') AS users,
              (SELECT count(*)::int FROM vpn_operations o
                WHERE o.node_code = n.code AND o.state IN ('pending', 'in_progress')) AS backlog,
              (SELECT count(*)::int FROM vpn_operations o WHERE o.node_code = n.code AND o.state = 'failed') AS failed,
              (SELECT o.last_error FROM vpn_operations o WHERE o.node_code = n.code AND o.last_error IS NOT NULL
                ORDER BY o.updated_at DESC LIMIT 1) AS "lastError"
         FROM vpn_nodes n ORDER BY n.created_at, n.code`,
    );
  }
}
