import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { withCaller } from '../database/caller-context';
import { withDeadline } from '../database/with-deadline';
import { PoolMonitor } from '../database/pool-monitor';
import { SignalRegistry } from '../signals/signal-registry';
import { SignalsService } from '../signals/signals.service';
import { EventLoopMonitor } from './event-loop.monitor';
import {
  classify,
  freezeClassNames,
  SymptomClock,
  type Evidence,
  type FreezeClass,
  type Verdict,
} from './freeze-classifier';
import { LoopGuard } from './loop-guard';
import { MetricsService } from './metrics.service';
import { RowGauges } from './row-gauges';

const TICK_MS = 1_000;
const BACKLOG_REFRESH_MS = 5_000;
const COUNT_DEADLINE_MS = 2_000;
const INTERNAL: FreezeClass[] = ['A', 'B', 'C', 'E'];

export interface WatchdogStatus {
  class: FreezeClass;
  name: string;
  reason: string;
  sinceMs: number;
  evidence: Record<string, unknown>;
  action: string;
  lastAction?: string;
}

/** See docs/architecture.md, reliability rule 9, and docs/operations.md, "The watchdog". */
@Injectable()
export class WatchdogService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Watchdog');
  private readonly clock = new SymptomClock();
  private readonly started = performance.now();
  private timer?: NodeJS.Timeout;
  private verdict: Verdict = { class: 'healthy', reason: 'starting', evidence: {} };
  private classSince = performance.now();
  private lastRecoveryAt = -Infinity;
  private lastAction?: string;
  private backlog = 0;
  private backlogAt = -Infinity;
  private refreshing = false;
  private lastGuardStall = 0;
  private pollsWithUpdates = 0;
  exit: (code: number) => void = (code) => process.exit(code);

  constructor(
    private readonly config: AppConfig,
    private readonly parts: SignalRegistry,
    private readonly loop: EventLoopMonitor,
    private readonly guard: LoopGuard,
    private readonly pool: PoolMonitor,
    private readonly metrics: MetricsService,
    private readonly rows: RowGauges,
    signals: SignalsService,
  ) {
    signals.onRecord((name, detail) => {
      if (name === 'telegram.poll.completed' && Number(detail?.updates) > 0) this.pollsWithUpdates++;
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  status(): WatchdogStatus {
    return {
      class: this.verdict.class,
      name: freezeClassNames[this.verdict.class],
      reason: this.verdict.reason,
      sinceMs: Math.round(performance.now() - this.classSince),
      evidence: this.verdict.evidence,
      action: this.config.watchdog.action,
      lastAction: this.lastAction,
    };
  }

  isWedged(): boolean {
    return (
      INTERNAL.includes(this.verdict.class) &&
      performance.now() - this.classSince >= this.config.watchdog.exitAfterMs
    );
  }

  async tick(now = performance.now()): Promise<Verdict> {
    // Not awaited: on a starved pool the count waits for a connection, which would delay naming class C.
    if (!this.refreshing) {
      this.refreshing = true;
      void this.refreshBacklog(now).finally(() => (this.refreshing = false));
    }
    const w = this.config.watchdog;
    const verdict = classify(
      this.evidence(),
      {
        loopStallMs: w.loopStallMs,
        // Half the HTTP margin (at most 2 s): A is named, and recovered, before the transport's own deadline.
        pollGraceMs: Math.min(2_000, this.config.telegram.pollMarginMs / 2),
        stallMs: w.stallMs,
        starvationMs: w.poolStarvationMs,
        conflictMs: w.stallMs,
      },
      this.clock,
      now,
    );
    if (verdict.class !== this.verdict.class) this.changed(verdict, now);
    this.verdict = verdict;
    this.act(now);
    return verdict;
  }

  private evidence(): Evidence {
    const lag = this.loop.lag();
    const longest = this.guard.longestStallMs();
    const guardStallMs = longest > this.lastGuardStall ? longest : 0;
    this.lastGuardStall = longest;
    const p = this.parts.get('telegram.polling')?.status();
    const d = this.parts.get('telegram.dispatcher')?.status();
    const pool = this.pool.snapshot();
    return {
      loop: { maxMs: lag.maxMs, p99Ms: lag.p99Ms, guardStallMs },
      polling:
        p && this.config.telegram.mode === 'polling'
          ? {
              state: p.state,
              inFlightMs: p.inFlightSinceMs === undefined ? undefined : performance.now() - p.inFlightSinceMs,
              longPollMs: this.config.telegram.pollTimeoutS * 1000,
              deadlineMs: p.deadlineMs,
              conflictForMs: p.conflictForMs,
              offset: p.offset,
              received: this.pollsWithUpdates,
            }
          : undefined,
      dispatcher: {
        backlog: this.backlog,
        inFlight: d?.inFlight ?? 0,
        // Failed attempts count: retrying through a Telegram or VPN outage is progress, not a stall.
        completed: d?.attempts ?? 0,
        overdueLanes: d?.overdue.length ?? 0,
        oldest: d?.oldest,
      },
      pool: {
        waiting: pool.waiting,
        busy: pool.busy,
        max: pool.max,
        holders: pool.holds.map((h) => `${h.caller}:${h.heldMs}ms`),
      },
    };
  }

  private changed(v: Verdict, now: number): void {
    this.classSince = now;
    this.metrics.setFreezeClass(v.class);
    const line = `freeze_class=${v.class} (${freezeClassNames[v.class]}): ${v.reason} evidence=${JSON.stringify(v.evidence)}`;
    if (v.class === 'healthy') this.logger.log(line);
    else this.logger.error(line);
  }

  private act(now: number): void {
    const v = this.verdict;
    const w = this.config.watchdog;
    if (v.class === 'D' && w.action !== 'report' && now === this.classSince) {
      // Another consumer or a webhook: exiting would only crash-loop against it; polling backs off per 409.
      this.lastAction = `${new Date().toISOString()} class D: reported only (polling backs off; no exit)`;
    }
    if (v.class === 'healthy' || v.class === 'D' || w.action === 'report') return;
    const sinceStart = now - this.started;
    const lasting = now - this.classSince;
    if (sinceStart < w.graceMs || now - this.lastRecoveryAt < Math.min(w.graceMs, 10_000)) return;
    if (w.action === 'recover' && lasting < w.exitAfterMs) {
      this.recover(v.class, now);
      return;
    }
    if (lasting >= w.exitAfterMs) this.exitForRestart(v);
  }

  private recover(c: FreezeClass, now: number): void {
    const w = this.config.watchdog;
    const polling = this.parts.get('telegram.polling');
    const dispatcher = this.parts.get('telegram.dispatcher');
    let action: string | undefined;
    if (c === 'A' && polling?.abortInFlight('watchdog: getUpdates past the long-poll timeout (class A)')) {
      action = 'aborted the hung getUpdates; polling again';
    } else if (c === 'B' && dispatcher) {
      const { abandoned } = dispatcher.restart(`watchdog: ${this.verdict.reason}`, w.stallMs);
      action = `restarted the dispatcher; abandoned ${abandoned.length} stuck handler(s)${abandoned.length ? ` (updates ${abandoned.join(', ')} go back to the inbox)` : ''}`;
    } else if (c === 'C' && dispatcher) {
      const pauseMs = Math.min(Math.max(w.poolStarvationMs, 2_000), 30_000);
      const holders = this.pool
        .snapshot()
        .holds.map((h) => `${h.caller}:${h.heldMs}ms`)
        .join(', ');
      dispatcher.pause(pauseMs, 'watchdog: pool starvation (class C)');
      action = `paused the dispatcher for ${pauseMs} ms to shed load; connections held by ${holders || 'nobody'}`;
    }
    if (!action) return;
    this.lastRecoveryAt = now;
    this.lastAction = `${new Date().toISOString()} ${action}`;
    this.metrics.recoveries.inc({ class: c });
    this.logger.warn(`watchdog recovery for class ${c}: ${action}`);
  }

  private exitForRestart(v: Verdict): void {
    const file = join(this.config.database.dataDir, 'watchdog-exits.json');
    const w = this.config.watchdog;
    const recent = readExits(file).filter((t) => Date.now() - t < w.exitWindowMs);
    if (recent.length >= w.maxExits) {
      if (this.lastAction?.includes('crash-loop') !== true) {
        this.lastAction = `${new Date().toISOString()} crash-loop protection: ${recent.length} exits in the window; staying up`;
        this.logger.error(
          `class ${v.class} persists but ${recent.length} watchdog exits happened recently: not exiting again`,
        );
      }
      return;
    }
    writeExits(file, [...recent, Date.now()]);
    this.logger.fatal(
      `exiting for a restart: class ${v.class} (${freezeClassNames[v.class]}) for too long: ${v.reason}`,
    );
    this.exit(70);
  }

  private async refreshBacklog(now: number): Promise<void> {
    if (now - this.backlogAt < BACKLOG_REFRESH_MS) return;
    this.backlogAt = now;
    void this.rows.refresh(COUNT_DEADLINE_MS).catch(() => undefined); // stale figures are fine; the probes report the database
    const inbox = this.parts.get('telegram.inbox');
    if (!inbox) return;
    try {
      const c = await withCaller({ label: 'watchdog' }, () =>
        withDeadline(inbox.counts(), COUNT_DEADLINE_MS),
      );
      // Only updates due now: one waiting out its retry backoff is not a backlog the dispatcher ignores.
      this.backlog = c.due;
      this.metrics.dbCounts.set({ table: 'telegram_updates', state: 'pending' }, c.pending);
      this.metrics.dbCounts.set({ table: 'telegram_updates', state: 'failed' }, c.failed);
    } catch {
      // Database down or starved: C reports it; an unknown backlog must not name B (and exit) for an outage.
      this.backlog = 0;
    }
  }
}

function readExits(file: string): number[] {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as number[]) : [];
  } catch {
    return [];
  }
}

function writeExits(file: string, exits: number[]): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(exits));
  } catch {
    // best effort: protection then counts from zero
  }
}
