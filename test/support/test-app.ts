import {
  Global,
  Module,
  type Abstract,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { AppConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { configureHttp } from '../../src/http-setup';
import { JobsModule } from '../../src/jobs/jobs.module';
import { SignalsModule } from '../../src/signals/signals.module';
import { LifecycleModule } from '../../src/watchdog/lifecycle.module';
import { testEnv } from './test-env';

export interface TestAppOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** The modules under test (real ones; only outside systems are faked, over sockets). */
  imports?: (Type | DynamicModule)[];
  providers?: Provider[];
  /** Captures log output (default: errors and warnings to the console). */
  logger?: LoggerService;
  /** Replaces a module's provider (for seams the project defines, e.g. SubscriptionUsage). */
  overrides?: { provide: Type | Abstract<unknown> | string | symbol; useValue: unknown }[];
}

/**
 * A Nest application with the real shared infrastructure (config, database with pool monitor, signals,
 * job runner) on a test database, plus the modules under test. Call `app.close()` in afterAll.
 */
export async function createTestApp(
  opts: TestAppOptions,
): Promise<{ app: INestApplication; config: AppConfig }> {
  const config = AppConfig.fromEnv(
    testEnv({ DATABASE_URL: opts.databaseUrl, JOBS_ENABLED: 'false', ...opts.env }),
  );
  @Global()
  @Module({
    providers: opts.providers ?? [],
    exports: (opts.providers ?? []).map((p) => (typeof p === 'function' ? p : p.provide)),
  })
  class ExtraProviders {}
  let builder = Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      ScheduleModule.forRoot(),
      SignalsModule,
      LifecycleModule,
      DatabaseModule.forRoot(opts.databaseUrl),
      JobsModule,
      ExtraProviders,
      ...(opts.imports ?? []),
    ],
  });
  for (const o of opts.overrides ?? []) builder = builder.overrideProvider(o.provide).useValue(o.useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: opts.logger ?? ['error', 'warn'], rawBody: true });
  configureHttp(app);
  await app.init();
  return { app, config };
}
