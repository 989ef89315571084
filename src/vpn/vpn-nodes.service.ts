import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { VpnNodeConfig, VpnNodeState } from '../config/vpn-nodes.schema';
import { DbService } from '../database/db.service';
import { tagsAllow, VpnDesiredStateRepository, type NodeScope } from './vpn-desired-state.repository';
import { VpnNodesRepository } from './vpn-nodes.repository';

const BATCH = 500;

export interface NodeOverview {
  code: string;
  name: string;
  state: VpnNodeState;
  /** Subscriptions whose latest operation on the node is a done provision. */
  users: number;
  backlog: number;
  failed: number;
  lastError: string | null;
}

@Injectable()
export class VpnNodesService {
  private readonly logger = new Logger('VpnNodesService');

  constructor(
    private readonly config: AppConfig,
    private readonly db: DbService,
    private readonly nodes: VpnNodesRepository,
    private readonly desired: VpnDesiredStateRepository,
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
    }
    if (state === 'active') await this.backfill(code);
    return true;
  }

  async backfill(code: string, signal?: AbortSignal): Promise<number> {
    const node = this.config.vpn.nodes.find((n) => n.code === code);
    if (!node) return 0;
    let n: number;
    let total = 0;
    do total += n = await this.desired.backfillNode(this.db, scopeOf(this.config, node), BATCH);
    while (n === BATCH && !signal?.aborted);
    if (total) this.logger.log(`VPN node ${code} backfilled: ${total} key(s) queued`);
    return total;
  }

  async overview(): Promise<NodeOverview[]> {
    return this.db.query<NodeOverview>(
      'vpn.nodes.overview',
      `SELECT n.code, n.name, n.state,
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

export function scopeOf(config: AppConfig, node: VpnNodeConfig): NodeScope {
  return {
    code: node.code,
    trialAllowed: tagsAllow(config.subscriptions.trialNodeTags, node.tags),
    deniedPlans: config.subscriptions.plans
      .filter((p) => !tagsAllow(p.nodeTags ?? [], node.tags))
      .map((p) => p.code),
  };
}
