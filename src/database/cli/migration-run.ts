import { AppConfig, ConfigError } from '../../config/app-config';
import { runMigrations } from '../migrate';
import { describeUrl, resolveDatabase } from '../resolve-database';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const { url, embedded } = await resolveDatabase(config, (l) => console.error(l));
  try {
    const applied = await runMigrations(config.database, url);
    console.log(
      applied.length ? `applied: ${applied.join(', ')}` : `no pending migrations on ${describeUrl(url)}`,
    );
  } finally {
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
