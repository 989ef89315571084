import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { AppConfig } from '../../src/config/app-config';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { TEMPLATE_DB, testEnv } from './test-env';

let server: EmbeddedPostgresServer | undefined;
let dir: string | undefined;

/**
 * One real PostgreSQL for the whole run: started once, migrated once into a template database. Each spec
 * file then clones the template (CREATE DATABASE … TEMPLATE …), which takes milliseconds.
 */
export async function setup(project: TestProject): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'vpnbot-test-'));
  server = new EmbeddedPostgresServer({ dataDir: dir, port: 0, database: TEMPLATE_DB });
  const url = await server.start();
  const config = AppConfig.fromEnv(testEnv({ DATABASE_URL: url }));
  await runMigrations(config.database, url);
  // Connections to the template block cloning: make sure none linger.
  const admin = new Client({ connectionString: url.replace(`/${TEMPLATE_DB}`, '/postgres') });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${TEMPLATE_DB}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
  await admin.end();
  project.provide('pgAdminUrl', url.replace(`/${TEMPLATE_DB}`, '/postgres'));
}

export async function teardown(): Promise<void> {
  await server?.removeData();
  if (dir) await rm(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
