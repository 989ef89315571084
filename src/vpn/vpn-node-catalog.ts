import { Injectable, type OnModuleInit } from '@nestjs/common';
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
    await this.repository.sync(this.config.vpn.nodes);
  }
}
