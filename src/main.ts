import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError } from './config/app-config';
import { runMigrations } from './database/migrate';
import { describeUrl, resolveDatabase, type ResolvedDatabase } from './database/resolve-database';
import { configureHttp } from './http-setup';
import { createLogSink, createRootLogger } from './logging/logger-options';
import { LifecycleService } from './watchdog/lifecycle.service';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example and the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }

  const sink = createLogSink(config);
  const log = createRootLogger(config, sink);
  log.info({ config: config.redacted() }, 'starting');

  let database: ResolvedDatabase | undefined;
  try {
    database = await resolveDatabase(
      config,
      (line) => log.info(line),
      (line) => log.debug({ source: 'postgres' }, line),
    );
    const applied = await runMigrations(config.database, database.url);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    const where = database
      ? describeUrl(database.url)
      : config.database.url
        ? describeUrl(config.database.url)
        : 'embedded PostgreSQL';
    log.fatal(
      { err },
      `cannot use the database at ${where}: ${err instanceof Error ? err.message : String(err)}`,
    );
    await database?.embedded?.stop().catch(() => undefined);
    sink.flush();
    process.exit(1);
  }

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, databaseUrl: database.url, logger: log }),
    { bufferLogs: true, rawBody: true },
  );
  app.useLogger(app.get(Logger));
  configureHttp(app);

  let closing: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    closing ??= (async () => {
      log.info({ signal }, 'shutting down: not ready, draining');
      app.get(LifecycleService).beginShutdown();
      const hardStop = setTimeout(() => {
        log.error('shutdown did not finish in time; exiting');
        process.exit(1);
      }, config.http.shutdownDrainMs + 15_000);
      hardStop.unref();
      try {
        await app.close();
        await database.embedded?.stop();
        log.info('stopped');
      } catch (err) {
        log.error({ err }, 'error during shutdown');
        process.exitCode = 1;
      } finally {
        sink.flush();
        process.exit();
      }
    })();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // A crash must not leave the embedded server running without us.
  process.once('exit', () => database.embedded?.stopSync());

  await app.listen(config.http.port, '0.0.0.0');
  const url = await app.getUrl();
  log.info({ tookMs: Math.round(performance.now() - started) }, `listening on ${url}`);
}

void bootstrap();
