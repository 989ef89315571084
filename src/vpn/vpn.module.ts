import { Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { CoreHealthJob } from './core-health.job';
import { CoreHealthService } from './core-health.service';
import { HttpAgentProvider } from './http-agent.provider';
import { ProvisioningOutboxJob } from './provisioning-outbox.job';
import { ProvisioningOutboxService } from './provisioning-outbox.service';
import { ReconciliationJob } from './reconciliation.job';
import { ReconciliationService } from './reconciliation.service';
import { SubscriptionUrlController } from './subscription-url.controller';
import { VpnCircuit } from './vpn-circuit';
import { VpnCoreSignals } from './vpn-core-signals';
import { VpnKeysService } from './vpn-keys.service';
import { VpnOperationsRepository } from './vpn-operations.repository';
import { VpnOperationsService } from './vpn-operations.service';
import { VpnProvider } from './vpn-provider';
import { VpnSubscriptionsRepository } from './vpn-subscriptions.repository';
import { XrayGrpcProvider } from './xray-grpc.provider';
import { RateLimitModule } from '../http/rate-limit.module';

export function createVpnProvider(config: AppConfig): VpnProvider {
  const vpn = config.vpn;
  if (vpn.provider === 'http-agent')
    return new HttpAgentProvider({
      url: vpn.agent.url!,
      token: vpn.agent.token!,
      timeoutMs: vpn.timeoutMs,
      sentinelEmail: vpn.sentinelEmail,
    });
  return new XrayGrpcProvider({
    ...vpn.xray,
    timeoutMs: vpn.timeoutMs,
    sentinelEmail: vpn.sentinelEmail,
    flow: vpn.link.flow,
  });
}

/** VPN provisioning: provider adapter, outbox worker, reconciliation, keys and the /sub/:token feed. */
@Module({
  imports: [NotificationsModule, RateLimitModule],
  controllers: [SubscriptionUrlController],
  providers: [
    { provide: VpnProvider, inject: [AppConfig], useFactory: createVpnProvider },
    VpnCircuit,
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
  ],
  exports: [VpnProvider, VpnKeysService, VpnOperationsService],
})
export class VpnModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly provider: VpnProvider,
  ) {}

  onModuleInit(): void {
    const v = this.config.vpn;
    const target = v.provider === 'http-agent' ? v.agent.url : `${v.xray.address} (${v.xray.namespace})`;
    new Logger('VpnModule').log(`VPN provider ${v.provider} → ${target}, inbound ${v.xray.inboundTag}`);
    if (!v.link.host)
      new Logger('VpnModule').warn('VPN_PUBLIC_HOST is not set: users cannot get vless:// links');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider.close();
  }
}
