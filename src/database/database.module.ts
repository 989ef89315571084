import { Global, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule, InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { Db } from './db.service';
import { PoolMonitor } from './pool-monitor';

export const DATABASE_URL = Symbol('DATABASE_URL');

@Injectable()
class PoolMonitorAttacher implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly monitor: PoolMonitor,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    this.monitor.attach(pool, { holdWarnMs: this.config.database.holdWarnMs });
  }
}

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
      providers: [{ provide: DATABASE_URL, useValue: url }, PoolMonitor, Db, PoolMonitorAttacher],
      exports: [Db, PoolMonitor, DATABASE_URL],
    };
  }
}
