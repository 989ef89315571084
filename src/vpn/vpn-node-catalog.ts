import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { VpnNodesRepository } from './vpn-nodes.repository';

/** Writes the configured fleet to vpn_nodes at start, before anything queues an operation for a node. */
@Injectable()
export class VpnNodeCatalog implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: VpnNodesRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const retired = await this.repository.sync(this.config.vpn.nodes);
    if (retired.codes.length)
      new Logger('VpnNodeCatalog').warn(
        `VPN node(s) ${retired.codes.join(', ')} left the configuration: retired, ` +
          `${retired.superseded} queued operation(s) dropped; keys still on those servers stay there`,
      );
  }
}
