import { DataSource } from 'typeorm';
import { dataSourceOptions, type DatabaseSettings } from './data-source-options';

// Any constant works; it only has to be the same for every replica of this application.
const MIGRATION_LOCK_KEY = 7_318_240_551;

/** No statement_timeout: a migration may take longer than a request. */
export async function runMigrations(db: DatabaseSettings, url: string): Promise<string[]> {
  const base = dataSourceOptions(db, url);
  const ds = new DataSource({
    ...base,
    applicationName: `${db.applicationName}-migrate`,
    extra: {
      ...(base.extra as object),
      max: 2,
      statement_timeout: 0,
      idle_in_transaction_session_timeout: 0,
    },
  } as typeof base);
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await ds.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
