import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../src/config/app-config';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { JobsModule } from '../src/jobs/jobs.module';
import { PaymentsModule } from '../src/payments/payments.module';
import { SignalsModule } from '../src/signals/signals.module';
import { BENCH_ENV } from './bench-postgres';

/** The users/subscriptions/payments core on a bench database, jobs registered but not scheduled. */
export async function coreContext(
  url: string,
  env: Record<string, string> = {},
): Promise<INestApplicationContext> {
  const config = AppConfig.fromEnv({ ...BENCH_ENV, DATABASE_URL: url, JOBS_ENABLED: 'false', ...env });
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      ScheduleModule.forRoot(),
      SignalsModule,
      DatabaseModule.forRoot(url),
      JobsModule,
      PaymentsModule,
    ],
  })
  class CoreBenchModule {}
  const ctx = await NestFactory.createApplicationContext(CoreBenchModule, { logger: ['error'] });
  await ctx.init();
  return ctx;
}
