import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DbService } from '../database/db.service';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { VpnNodesRepository } from './vpn-nodes.repository';

/** Episodes live in vpn_nodes and key the notices, so restarts and replicas never tell twice. */
@Injectable()
export class VpnNodeAlertsService {
  private readonly logger = new Logger('VpnNodeAlertsService');

  constructor(
    private readonly config: AppConfig,
    private readonly db: DbService,
    private readonly nodes: VpnNodesRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  down(node: string, error: string): Promise<boolean> {
    return this.db.transaction('vpn.nodes.alert-down', async (em) => {
      const since = await this.nodes.openDown(em, node);
      if (!since) return false;
      await this.tell(em, 'down', node, since, {
        node,
        error: error.slice(0, 300),
        since: since.toISOString(),
      });
      return true;
    });
  }

  up(node: string): Promise<boolean> {
    return this.db.transaction('vpn.nodes.alert-up', async (em) => {
      const since = await this.nodes.closeDown(em, node);
      if (!since) return false;
      const downMs = Date.now() - since.getTime();
      await this.tell(em, 'up', node, since, { node, since: since.toISOString(), downMs });
      return true;
    });
  }

  /** Records whether a node is full; true when this call opened a full episode (and queued the notices). */
  full(node: string, full: boolean, figures: { users: number; capacity: number }): Promise<boolean> {
    return this.db.transaction('vpn.nodes.alert-full', async (em) => {
      const since = await this.nodes.markFull(em, node, full);
      if (!since) return false;
      await this.tell(em, 'full', node, since, { node, ...figures });
      return true;
    });
  }

  private async tell(
    em: Parameters<NotificationsRepository['enqueueForUsers']>[0],
    kind: 'down' | 'up' | 'full',
    node: string,
    since: Date,
    payload: Record<string, unknown>,
  ): Promise<void> {
    const admins = [...this.config.bot.adminIds];
    const queued = await this.notifications.enqueueForUsers(em, admins, {
      kind: `vpn_node_${kind}`,
      dedupeKey: (admin) => dedupeKeys.nodeEpisode(kind, node, since, admin),
      payload,
    });
    this.logger.log(`VPN node ${node} ${kind}: ${queued} admin notice(s) queued`);
  }
}
