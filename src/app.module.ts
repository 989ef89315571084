import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import type { DemoServices } from './demo/demo-services';
import { JobsModule } from './jobs/jobs.module';
import type { Logger } from 'pino';
import { loggerParams } from './logging/logger-options';
import { PaymentsModule } from './payments/payments.module';
import { CryptoPayModule } from './payments/providers/crypto-pay/crypto-pay.module';
import { StarsModule } from './payments/providers/stars/stars.module';
import { SignalsModule } from './signals/signals.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { TelegramModule } from './telegram/telegram.module';
import { UsersModule } from './users/users.module';
import { TrafficModule } from './traffic/traffic.module';
import { VpnModule } from './vpn/vpn.module';
import { LifecycleModule } from './watchdog/lifecycle.module';
import { WatchdogModule } from './watchdog/watchdog.module';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
  /** Demo mode only: the stand-ins the web chat drives. Without them nothing of the demo is mounted. */
  demo?: DemoServices;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, logger, demo }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(logger, { logClientIps: config.http.logClientIps })),
        ScheduleModule.forRoot(),
        SignalsModule,
        LifecycleModule,
        DatabaseModule.forRoot(databaseUrl),
        JobsModule,
        WatchdogModule,
        UsersModule,
        SubscriptionsModule,
        PaymentsModule,
        CryptoPayModule,
        StarsModule,
        VpnModule,
        TrafficModule,
        TelegramModule,
        ...(demo ? [DemoModule.forRoot(demo)] : []),
      ],
    };
  }
}
