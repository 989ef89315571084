import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigError } from '../../config/app-config';
import { dataSourceOptions } from '../data-source-options';
import { runMigrations } from '../migrate';
import { resolveDatabase } from '../resolve-database';

/** `npm run migration:generate -- <Name>`: the entities' difference from the schema as a migration. */
async function main(): Promise<void> {
  const name = (process.argv[2] ?? '').replace(/[^A-Za-z0-9]/g, '');
  if (!name) throw new Error('usage: npm run migration:generate -- <PascalCaseName>');
  const config = AppConfig.fromEnv();
  const { url, embedded } = await resolveDatabase(config, (l) => console.error(l));
  const ds = new DataSource(dataSourceOptions(config.database, url));
  try {
    await runMigrations(config.database, url);
    await ds.initialize();
    const sql = await ds.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log('the schema matches the entities: no migration generated');
      return;
    }
    const ts = Date.now();
    const className = `${name}${ts}`;
    const q = (s: { query: string; parameters?: unknown[] }) =>
      `    await queryRunner.query(${JSON.stringify(s.query)}${s.parameters?.length ? `, ${JSON.stringify(s.parameters)}` : ''});`;
    const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map(q).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${[...sql.downQueries].reverse().map(q).join('\n')}
  }
}
`;
    const file = join(resolve(__dirname, '../../../../migrations'), `${ts}-${name}.ts`);
    writeFileSync(file, body);
    console.log(`wrote ${file}\nadd ${className} to migrations/migrations.ts, then run npm run format`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
