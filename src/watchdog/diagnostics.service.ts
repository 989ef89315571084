import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PoolMonitor } from '../database/pool-monitor';

const HANDLES_EVERY_MS = 30_000;

@Injectable()
export class DiagnosticsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Diagnostics');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly pool: PoolMonitor,
  ) {}

  onModuleInit(): void {
    if (!this.config.watchdog.diagnostics) return;
    this.logger.warn('DIAGNOSTICS is on: verbose instrumentation is being logged');
    this.pool.onAcquire((e) =>
      this.logger.log(
        `pool acquire caller=${e.caller} wait_ms=${e.waitMs.toFixed(1)} ok=${e.ok} ${this.poolLine()}`,
      ),
    );
    this.pool.onRelease((e) =>
      this.logger.log(`pool release caller=${e.caller} hold_ms=${e.holdMs.toFixed(1)} ${this.poolLine()}`),
    );
    this.logHandles(); // once at start, so the first line is a baseline to compare the later ones with
    this.timer = setInterval(() => this.logHandles(), HANDLES_EVERY_MS).unref();
  }

  private logHandles(): void {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
    this.logger.log(`active handles ${JSON.stringify(counts)}`);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private poolLine(): string {
    const s = this.pool.snapshot();
    return `busy=${s.busy}/${s.max} idle=${s.idle} waiting=${s.waiting}`;
  }
}
