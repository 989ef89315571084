import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/migrations';
import type { AppConfig } from '../config/app-config';
import { entities } from './entities';
import { TypeOrmLogger } from './typeorm-logger';

export type DatabaseSettings = AppConfig['database'];

/** TypeORM spreads `extra` last, so pg-pool options live there (docs/architecture.md, reliability rule 2). */
export function dataSourceOptions(db: DatabaseSettings, url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension (and no superuser) needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrationsRun: false,
    applicationName: db.applicationName,
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: Math.max(1_000, Math.round(db.statementTimeoutMs / 2)),
    extra: {
      max: db.poolSize,
      connectionTimeoutMillis: db.acquireTimeoutMs,
      statement_timeout: db.statementTimeoutMs,
      idle_in_transaction_session_timeout: db.idleInTransactionTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: db.applicationName,
    },
  };
}
