import { Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { CoreHealthJob } from './core-health.job';
import { DevicesRepository } from './devices/devices.repository';
import { DevicesService } from './devices/devices.service';
import { FeedService } from './feed/feed.service';
import { RegisteredSubscriptionUsage, SubscriptionUsage } from './feed/subscription-usage';
import { CoreHealthService } from './core-health.service';
import { ProvisioningOutboxJob } from './provisioning-outbox.job';
import { ProvisioningOutboxService } from './provisioning-outbox.service';
import { ReconciliationJob } from './reconciliation.job';
import { ReconciliationService } from './reconciliation.service';
import { SubscriptionUrlController } from './subscription-url.controller';
import { VpnCircuit } from './vpn-circuit';
import { VpnCoreSignals } from './vpn-core-signals';
import { VpnDesiredStateModule } from './vpn-desired-state.module';
import { createNodeProvider, VpnFleetService } from './vpn-fleet.service';
import { VpnNodeAlertsService } from './vpn-node-alerts.service';
import { VpnNodesService } from './vpn-nodes.service';
import { VpnKeysService } from './vpn-keys.service';
import { VpnOperationsRepository } from './vpn-operations.repository';
import { VpnOperationsService } from './vpn-operations.service';
import { VpnProvider } from './vpn-provider';
import { VpnSubscriptionsRepository } from './vpn-subscriptions.repository';
import { RateLimitModule } from '../http/rate-limit.module';

/** The first (default) node's provider: the one a single-core deployment talks to. */
export function createVpnProvider(config: AppConfig): VpnProvider {
  return createNodeProvider(config, config.vpn.nodes[0]);
}

/** VPN provisioning: provider adapter, outbox worker, reconciliation, keys, the /sub/:token feed, devices. */
@Module({
  imports: [NotificationsModule, VpnDesiredStateModule, RateLimitModule],
  controllers: [SubscriptionUrlController],
  providers: [
    { provide: VpnProvider, inject: [AppConfig], useFactory: createVpnProvider },
    VpnCircuit,
    VpnFleetService,
    VpnNodesService,
    VpnNodeAlertsService,
    VpnOperationsRepository,
    VpnSubscriptionsRepository,
    ProvisioningOutboxService,
    ProvisioningOutboxJob,
    ReconciliationService,
    ReconciliationJob,
    CoreHealthService,
    CoreHealthJob,
    VpnCoreSignals,
    VpnOperationsService,
    VpnKeysService,
    FeedService,
    DevicesRepository,
    DevicesService,
    { provide: SubscriptionUsage, useClass: RegisteredSubscriptionUsage },
  ],
  exports: [
    VpnProvider,
    VpnKeysService,
    VpnOperationsService,
    VpnNodesService,
    CoreHealthService,
    DevicesService,
    FeedService,
    VpnFleetService,
    SubscriptionUsage,
  ],
})
export class VpnModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly provider: VpnProvider,
  ) {}

  onModuleInit(): void {
    const logger = new Logger('VpnModule');
    for (const n of this.config.vpn.nodes) {
      const target = n.provider === 'http-agent' ? n.agentUrl : `${n.apiAddress} (${n.namespace})`;
      const node = this.config.vpn.nodes.length > 1 ? `node ${n.code}: ` : '';
      logger.log(`${node}VPN provider ${n.provider} → ${target}, inbound ${n.inboundTag}`);
      if (!n.host) logger.warn(`${node}VPN_PUBLIC_HOST is not set: users cannot get vless:// links`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider.close();
  }
}
