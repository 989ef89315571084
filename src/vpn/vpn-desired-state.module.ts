import { Module } from '@nestjs/common';
import { VpnDesiredStateRepository } from './vpn-desired-state.repository';

/**
 * The writer of desired VPN-core changes, apart from VpnModule so that subscriptions can queue them without
 * bringing in the provider, the outbox worker and their jobs.
 */
@Module({
  providers: [VpnDesiredStateRepository],
  exports: [VpnDesiredStateRepository],
})
export class VpnDesiredStateModule {}
