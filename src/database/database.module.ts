import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { DbService } from './db.service';
import { HttpBudget } from './http-budget';
import { PoolMonitor } from './pool-monitor';
import { PoolMonitorAttacher } from './pool-monitor-attacher';

export const DATABASE_URL = Symbol('DATABASE_URL');

@Global()
@Module({})
export class DatabaseModule {
  /** `url` is resolved before Nest starts (DATABASE_URL or the embedded server) and migrated already. */
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config.database, url),
            // The URL was proven reachable by the migration step; do not spin for minutes if it went away.
            retryAttempts: 2,
            retryDelay: 1_000,
          }),
        }),
      ],
      providers: [
        { provide: DATABASE_URL, useValue: url },
        PoolMonitor,
        DbService,
        PoolMonitorAttacher,
        HttpBudget,
      ],
      exports: [DbService, PoolMonitor, DATABASE_URL, HttpBudget],
    };
  }
}
