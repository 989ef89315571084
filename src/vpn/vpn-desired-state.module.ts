import { Module } from '@nestjs/common';
import { VpnDesiredStateRepository } from './vpn-desired-state.repository';
import { VpnNodeCatalog } from './vpn-node-catalog';
import { VpnNodesRepository } from './vpn-nodes.repository';

/** Apart from VpnModule: subscriptions queue core changes without the provider, worker and jobs. */
@Module({
  providers: [VpnDesiredStateRepository, VpnNodesRepository, VpnNodeCatalog],
  exports: [VpnDesiredStateRepository, VpnNodesRepository],
})
export class VpnDesiredStateModule {}
