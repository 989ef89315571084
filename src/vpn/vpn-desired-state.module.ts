import { Module } from '@nestjs/common';
import { VpnDesiredStateRepository } from './vpn-desired-state.repository';
import { VpnNodeCatalog } from './vpn-node-catalog';
import { VpnNodesRepository } from './vpn-nodes.repository';

/**
 * The writer of desired VPN-core changes and the node catalog (seeded at start), apart from VpnModule so that subscriptions can queue them without
 * bringing in the provider, the outbox worker and their jobs.
 */
@Module({
  providers: [VpnDesiredStateRepository, VpnNodesRepository, VpnNodeCatalog],
  exports: [VpnDesiredStateRepository, VpnNodesRepository],
})
export class VpnDesiredStateModule {}
