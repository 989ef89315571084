import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../src/config/app-config';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { PoolMonitor } from '../src/database/pool-monitor';
import { JobsModule } from '../src/jobs/jobs.module';
import { SignalsModule } from '../src/signals/signals.module';
import { VpnModule } from '../src/vpn/vpn.module';
import { BENCH_ENV } from './bench-postgres';

/** The VPN module on the bench database, jobs not scheduled: the benches call the services themselves. */
export async function vpnApp(url: string, env: Record<string, string>): Promise<INestApplicationContext> {
  const config = AppConfig.fromEnv({
    ...BENCH_ENV,
    DATABASE_URL: url,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    ...env,
  });
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      ScheduleModule.forRoot(),
      SignalsModule,
      DatabaseModule.forRoot(url),
      JobsModule,
      VpnModule,
    ],
  })
  class BenchModule {}
  // abortOnError: false, so a failing start throws here and the finally below still stops the core.
  return NestFactory.createApplicationContext(BenchModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
}

/**
 * Peak connections checked out at once by callers whose label starts with `prefix`, and the longest single
 * hold among them, while `fn` runs.
 */
export async function peakConnections<T>(monitor: PoolMonitor, prefix: string, fn: () => Promise<T>) {
  let live = 0;
  let peak = 0;
  let longestHoldMs = 0;
  let on = true;
  monitor.onAcquire((e) => {
    if (on && e.ok && e.caller.startsWith(prefix)) peak = Math.max(peak, ++live);
  });
  monitor.onRelease((e) => {
    if (!on || !e.caller.startsWith(prefix)) return;
    live--;
    longestHoldMs = Math.max(longestHoldMs, e.holdMs);
  });
  const before = Object.entries(monitor.callerStats())
    .filter(([k]) => k.startsWith(prefix))
    .reduce((n, [, s]) => n + s.acquires, 0);
  const result = await fn();
  on = false;
  const acquires =
    Object.entries(monitor.callerStats())
      .filter(([k]) => k.startsWith(prefix))
      .reduce((n, [, s]) => n + s.acquires, 0) - before;
  return { result, peak, acquires, longestHoldMs };
}
