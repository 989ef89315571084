import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChannelGateIndicator } from './channel-gate.indicator';
import { DatabaseIndicator } from './database.indicator';
import { DiagnosticsService } from './diagnostics.service';
import { EventLoopMonitor } from './event-loop.monitor';
import { HealthController } from './health.controller';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { LoopGuard } from './loop-guard';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ProgressIndicators } from './progress.indicators';
import { RowGauges } from './row-gauges';
import { VpnCoreIndicator } from './vpn-core.indicator';
import { WatchdogService } from './watchdog.service';
import { RateLimitModule } from '../http/rate-limit.module';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false }), RateLimitModule],
  controllers: [HealthController, MetricsController],
  providers: [
    EventLoopMonitor,
    DatabaseIndicator,
    LoopGuard,
    MetricsService,
    WatchdogService,
    ProgressIndicators,
    DiagnosticsService,
    VpnCoreIndicator,
    ChannelGateIndicator,
    RowGauges,
  ],
  exports: [EventLoopMonitor, MetricsService, WatchdogService],
})
export class WatchdogModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
