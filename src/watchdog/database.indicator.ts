import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { withCaller } from '../database/caller-context';
import { withDeadline } from '../database/with-deadline';
import { PoolMonitor } from '../database/pool-monitor';
import { SignalsService } from '../signals/signals.service';

/** Raced against DB_READY_TIMEOUT_MS: a saturated pool or a hung server makes it say "down" promptly. */
@Injectable()
export class DatabaseIndicator {
  private migrationsApplied = false;

  constructor(
    private readonly his: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pool: PoolMonitor,
    private readonly config: AppConfig,
    private readonly signals: SignalsService,
  ) {}

  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.his.check(key);
    const snap = this.pool.snapshot();
    const pool = { busy: snap.busy, max: snap.max, waiting: snap.waiting, longestHold: snap.longestHold };
    const timeoutMs = this.config.database.readyTimeoutMs;
    const started = performance.now();
    try {
      await withDeadline(
        withCaller({ label: 'health.ready' }, async () => {
          await this.dataSource.query('SELECT 1');
          if (!this.migrationsApplied) this.migrationsApplied = !(await this.dataSource.showMigrations());
        }),
        timeoutMs,
      );
    } catch (err) {
      return indicator.down({ error: (err as Error).message, pool });
    }
    const roundTripMs = Math.round(performance.now() - started);
    this.signals.record('db.roundtrip', { ms: roundTripMs });
    if (!this.migrationsApplied) return indicator.down({ error: 'pending migrations', pool });
    return indicator.up({ roundTripMs, pool });
  }
}
