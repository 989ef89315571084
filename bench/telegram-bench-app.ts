import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../src/config/app-config';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { configureHttp } from '../src/http-setup';
import { JobsModule } from '../src/jobs/jobs.module';
import { SignalsModule } from '../src/signals/signals.module';
import { TelegramTransportModule } from '../src/telegram/transport/telegram-transport.module';
import { UpdateHandler } from '../src/telegram/transport/update-handler';
import { LifecycleModule } from '../src/watchdog/lifecycle.module';
import { BENCH_ENV } from './bench-postgres';

/** Does nothing with an update: benches that measure the transports, not the bot's handlers. */
export class NoopHandler extends UpdateHandler {
  async handle(): Promise<void> {}
}

/**
 * The Telegram transports (inbox, dispatcher, webhook endpoint, sender) on a bench database, as the app wires
 * them, with `handler` processing updates; jobs registered but not scheduled. Listening on 127.0.0.1.
 */
export async function transportApp(
  url: string,
  env: Record<string, string>,
  handler: Type<UpdateHandler> = NoopHandler,
): Promise<{ app: INestApplication; baseUrl: string }> {
  const config = AppConfig.fromEnv({ ...BENCH_ENV, DATABASE_URL: url, JOBS_ENABLED: 'false', ...env });
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      ScheduleModule.forRoot(),
      SignalsModule,
      LifecycleModule,
      DatabaseModule.forRoot(url),
      JobsModule,
      TelegramTransportModule.withHandler(handler),
    ],
  })
  class TelegramBenchModule {}
  const app = await NestFactory.create(TelegramBenchModule, { logger: ['error'], rawBody: true });
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${addr.port}` };
}

export { percentile } from './percentile';

export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}
