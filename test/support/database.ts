import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { AppConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { TEMPLATE_DB, testEnv } from './test-env';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: inject('pgAdminUrl'), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`));
  const url = inject('pgAdminUrl').replace(/\/postgres$/, `/${name}`);
  return {
    url,
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A fresh database plus an initialised TypeORM DataSource on it, configured as the application does. */
export async function createTestDataSource(
  env: Record<string, string> = {},
): Promise<{ ds: DataSource; db: TestDatabase; config: AppConfig }> {
  const db = await createTestDatabase();
  const config = AppConfig.fromEnv(testEnv({ DATABASE_URL: db.url, ...env }));
  const ds = new DataSource(dataSourceOptions(config.database, db.url));
  await ds.initialize();
  return { ds, db, config };
}
