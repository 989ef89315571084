import { onStopSignal, pendingStopSignal, startupAbort } from './early-signals';
import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError } from './config/app-config';
import { runMigrations } from './database/migrate';
import { EmbeddedPostgresSetupError } from './database/embedded-postgres';
import { describeUrl, resolveDatabase, type ResolvedDatabase } from './database/resolve-database';
import { DemoServices } from './demo/demo-services';
import { configureHttp } from './http-setup';
import { LocaleOverrideError, loadCatalog } from './i18n/locale-overrides';
import { installCatalog } from './i18n/translate';
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
  try {
    installCatalog(loadCatalog(config.bot.localesDir));
  } catch (err) {
    if (err instanceof LocaleOverrideError) {
      process.stderr.write(`${err.message}\nSee "Texts and languages" in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }

  // Demo mode: the stand-ins start first, so their addresses are in the configuration everything else reads.
  const demo = config.demo ? await DemoServices.start() : undefined;
  if (demo) config = config.withDemoServices(demo.addresses);

  const sink = createLogSink(config);
  const log = createRootLogger(config, sink);
  log.info({ config: config.redacted() }, 'starting');
  if (demo)
    log.warn(
      `demo mode: no BOT_TOKEN, so the bot runs against built-in stand-ins of Telegram, Crypto Pay and an Xray core; chat with it at http://localhost:${config.http.port}/ — to go live: BOT_TOKEN=… npm start`,
    );
  // Until Nest's app logger exists (TypeORM's migration lines), Nest's static logger writes through pino too.
  NestLogger.overrideLogger({
    log: (m: unknown, context?: string) => log.info({ context }, String(m)),
    error: (m: unknown, context?: string) => log.error({ context }, String(m)),
    warn: (m: unknown, context?: string) => log.warn({ context }, String(m)),
    debug: (m: unknown, context?: string) => log.debug({ context }, String(m)),
    verbose: (m: unknown, context?: string) => log.trace({ context }, String(m)),
    fatal: (m: unknown, context?: string) => log.fatal({ context }, String(m)),
  });
  const stopEarly = async (signal: string, embedded?: ResolvedDatabase['embedded']) => {
    log.info({ signal }, 'stopped during start-up');
    await embedded?.stop().catch(() => undefined);
    await demo?.stop();
    sink.flush();
    process.exit(0);
  };

  let database: ResolvedDatabase | undefined;
  try {
    database = await resolveDatabase(
      config,
      (line) => log.info(line),
      (line) => log.debug({ source: 'postgres' }, line),
      startupAbort,
    );
    if (pendingStopSignal()) return stopEarly(pendingStopSignal()!, database.embedded);
    const applied = await runMigrations(config.database, database.url);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    // A stop signal cut initdb short: no server runs, nothing is half-made.
    if (!database && pendingStopSignal()) return stopEarly(pendingStopSignal()!);
    const where = database
      ? describeUrl(database.url)
      : config.database.url
        ? describeUrl(config.database.url)
        : 'embedded PostgreSQL';
    log.fatal(
      err instanceof EmbeddedPostgresSetupError ? {} : { err },
      `cannot use the database at ${where}: ${err instanceof Error ? err.message : String(err)}`,
    );
    await database?.embedded?.stop().catch(() => undefined);
    await demo?.stop();
    sink.flush();
    process.exit(1);
  }

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, databaseUrl: database.url, logger: log, demo }),
    { bufferLogs: true, rawBody: true },
  );
  if (pendingStopSignal()) {
    await app.close().catch(() => undefined);
    return stopEarly(pendingStopSignal()!, database.embedded);
  }
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
        await demo?.stop();
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
  onStopSignal(shutdown);
  // A crash must not leave the embedded server running without us.
  process.once('exit', () => database.embedded?.stopSync());

  await app.listen(config.http.port, config.http.host);
  const signal = pendingStopSignal();
  if (signal) shutdown(signal);
  const url = await app.getUrl();
  log.info({ tookMs: Math.round(performance.now() - started) }, `listening on ${url}`);
}

void bootstrap();
