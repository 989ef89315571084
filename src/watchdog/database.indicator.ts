import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { HttpBudget, HttpBudgetExhaustedError } from '../database/http-budget';
import { DeadlineExceededError, withDeadline } from '../database/with-deadline';
import { PoolMonitor } from '../database/pool-monitor';
import { SignalsService } from '../signals/signals.service';

/** A probe flood shares one round trip per this long instead of one per request. */
const CACHE_MS = 1_000;

type Outcome = { ok: true; roundTripMs: number } | { ok: false; error: string };

/** Raced against DB_READY_TIMEOUT_MS; public, so it names what failed, never the driver's message. */
@Injectable()
export class DatabaseIndicator {
  private readonly logger = new Logger('Readiness');
  private migrationsApplied = false;
  private last?: { at: number; outcome: Promise<Outcome> };

  constructor(
    private readonly his: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pool: PoolMonitor,
    private readonly config: AppConfig,
    private readonly signals: SignalsService,
    private readonly budget: HttpBudget,
  ) {}

  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.his.check(key);
    const snap = this.pool.snapshot();
    const pool = { busy: snap.busy, max: snap.max, waiting: snap.waiting, longestHold: snap.longestHold };
    const now = performance.now();
    if (!this.last || now - this.last.at >= CACHE_MS) this.last = { at: now, outcome: this.roundTrip() };
    const outcome = await this.last.outcome;
    if (!outcome.ok) return indicator.down({ error: outcome.error, pool });
    if (!this.migrationsApplied) return indicator.down({ error: 'pending migrations', pool });
    return indicator.up({ roundTripMs: outcome.roundTripMs, pool });
  }

  private async roundTrip(): Promise<Outcome> {
    const timeoutMs = this.config.database.readyTimeoutMs;
    const started = performance.now();
    try {
      await withDeadline(
        this.budget.slot('health.ready', async () => {
          await this.dataSource.query('SELECT 1');
          if (!this.migrationsApplied) this.migrationsApplied = !(await this.dataSource.showMigrations());
        }),
        timeoutMs,
      );
    } catch (err) {
      // By the error, not the clock: a timer may fire a fraction of a millisecond before performance.now() agrees.
      const error =
        err instanceof HttpBudgetExhaustedError
          ? 'busy'
          : err instanceof DeadlineExceededError
            ? `no answer within ${timeoutMs} ms`
            : 'query failed';
      this.logger.warn(`database check failed (${error}): ${(err as Error).message}`);
      return { ok: false, error };
    }
    const roundTripMs = Math.round(performance.now() - started);
    this.signals.record('db.roundtrip', { ms: roundTripMs });
    return { ok: true, roundTripMs };
  }
}
