import { Controller, Get, UseGuards } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ThrottlerGuard } from '@nestjs/throttler';
import { RateLimit } from '../http/rate-limit.module';
import { ChannelGateIndicator } from './channel-gate.indicator';
import { DatabaseIndicator } from './database.indicator';
import { LifecycleService } from './lifecycle.service';
import { ProgressIndicators } from './progress.indicators';
import { VpnCoreIndicator } from './vpn-core.indicator';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly his: HealthIndicatorService,
    private readonly progress: ProgressIndicators,
    private readonly database: DatabaseIndicator,
    private readonly lifecycle: LifecycleService,
    private readonly vpnCore: VpnCoreIndicator,
    private readonly channel: ChannelGateIndicator,
  ) {}

  /** Liveness: process-local evidence only. A database or Telegram outage must never restart the pod. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.progress.eventLoop(), () => this.progress.freeze()]);
  }

  @Get('ready')
  @UseGuards(ThrottlerGuard)
  @RateLimit('health')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.progress.eventLoop(),
      () => this.progress.freeze(),
      () => {
        const s = this.his.check('lifecycle');
        return this.lifecycle.shuttingDown ? s.down({ state: 'shutting down' }) : s.up({ state: 'running' });
      },
      () => this.database.check(),
      () => this.progress.telegram(),
      () => this.progress.jobs_(),
      () => this.vpnCore.check(),
      () => this.channel.check(),
    ]);
  }
}
