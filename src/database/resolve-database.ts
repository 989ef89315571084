import type { AppConfig } from '../config/app-config';
import { EmbeddedPostgresServer } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  embedded?: EmbeddedPostgresServer;
}

export async function resolveDatabase(
  config: AppConfig,
  log: (line: string) => void,
  pgLog: (line: string) => void = () => undefined,
): Promise<ResolvedDatabase> {
  const db = config.database;
  if (db.url) return { url: db.url };
  const embedded = new EmbeddedPostgresServer({
    dataDir: db.dataDir,
    port: db.embeddedPort,
    log: pgLog,
    info: log,
  });
  log(`DATABASE_URL is not set: starting embedded PostgreSQL with data in ${embedded.dataDir}`);
  const url = await embedded.start();
  log(`embedded PostgreSQL ready on ${new URL(url).host} with data in ${embedded.dataDir}`);
  return { url, embedded };
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
