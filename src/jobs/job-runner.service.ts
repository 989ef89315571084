import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { bulkhead, type BulkheadPolicy } from 'cockatiel';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';
import { withCaller } from '../database/caller-context';
import { SignalsService } from '../signals/signals.service';
import { JobLeaseRepository } from './job-lease.repository';
import type { JobDefinition, JobOutcome, JobResult, JobStatus } from './job.types';

interface JobState {
  def: Required<Omit<JobDefinition, 'run'>> & Pick<JobDefinition, 'run'>;
  enabled: boolean;
  running?: Promise<void>;
  stuck: boolean;
  abort?: AbortController;
  wakePending: boolean;
  status: JobStatus;
}

// After the deadline aborts an iteration, how long to wait for it to honour the signal before reporting it.
const ABORT_GRACE_MS = 2_000;

@Injectable()
export class JobRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobRunnerService');
  private readonly jobs = new Map<string, JobState>();
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly budget: BulkheadPolicy;
  private started = false;
  private stopping = false;
  private readonly registered: ((name: string) => void)[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly leases: JobLeaseRepository,
    private readonly signals: SignalsService,
    private readonly scheduler: SchedulerRegistry,
  ) {
    this.budget = bulkhead(config.jobs.connectionBudget, Number.MAX_SAFE_INTEGER);
  }

  register(declared: JobDefinition): void {
    if (this.jobs.has(declared.name)) throw new Error(`job ${declared.name} is registered twice`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(declared.name))
      throw new Error(`job name ${declared.name} must be kebab-case`);
    const def = withIntervalOverride(declared, this.config.jobs.intervals.get(declared.name));
    const timeoutMs = def.timeoutMs ?? Math.min(def.intervalMs, 300_000);
    const full = {
      ...def,
      jitterMs: def.jitterMs ?? Math.round(def.intervalMs * 0.1),
      timeoutMs,
      initialDelayMs: def.initialDelayMs ?? Math.round(Math.random() * def.intervalMs),
    };
    const enabled = this.config.jobs.enabled && !this.config.jobs.disabled.has(def.name);
    this.jobs.set(def.name, {
      def: full,
      enabled,
      stuck: false,
      wakePending: false,
      status: {
        name: def.name,
        enabled,
        intervalMs: def.intervalMs,
        running: false,
        stuck: false,
        ticks: 0,
        wakeups: 0,
      },
    });
    this.registered.forEach((fn) => fn(def.name));
    if (this.started && enabled) this.schedule(def.name, full.initialDelayMs);
  }

  onRegister(fn: (name: string) => void): void {
    this.registered.push(fn);
    for (const name of this.jobs.keys()) fn(name);
  }

  /** Runs now, or once more after the current run (it may have claimed before the commit). */
  wake(name: string): void {
    const job = this.jobs.get(name);
    if (!job?.enabled || !this.started || this.stopping) return;
    if (job.running) {
      job.wakePending = true;
      return;
    }
    job.status.wakeups++;
    void this.iterate(job);
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const [name, job] of this.jobs) if (job.enabled) this.schedule(name, job.def.initialDelayMs);
    const enabled = [...this.jobs.values()].filter((j) => j.enabled).map((j) => j.def.name);
    const disabled = [...this.jobs.values()].filter((j) => !j.enabled).map((j) => j.def.name);
    this.logger.log(
      `jobs scheduled: ${enabled.join(',') || 'none'}${disabled.length ? `; disabled: ${disabled.join(',')}` : ''}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const name of this.jobs.keys()) this.unschedule(name);
    const running = [...this.jobs.values()].filter((j) => j.running);
    for (const j of running) j.abort?.abort(new Error('application shutting down'));
    const drain = this.config.http.shutdownDrainMs;
    await Promise.race([
      Promise.allSettled(running.map((j) => j.running)),
      new Promise((r) => setTimeout(r, drain).unref()),
    ]);
    await this.leases.release([...this.jobs.keys()], this.holder).catch((err: unknown) => {
      this.logger.warn(`could not release job leases: ${(err as Error).message}`);
    });
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((j) => ({ ...j.status, running: !!j.running, stuck: j.stuck }));
  }

  runNow(name: string): Promise<JobOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    return this.iterate(job);
  }

  private schedule(name: string, delayMs: number): void {
    if (this.stopping) return;
    this.unschedule(name);
    const timer = setTimeout(() => {
      const job = this.jobs.get(name)!;
      // Planned before each run: a slow iteration makes the next tick skip (single flight), not pile up.
      this.schedule(name, job.def.intervalMs + Math.round(Math.random() * job.def.jitterMs));
      job.status.ticks++;
      void this.iterate(job);
    }, delayMs);
    timer.unref();
    this.scheduler.addTimeout(this.timerName(name), timer);
  }

  private unschedule(name: string): void {
    const key = this.timerName(name);
    if (this.scheduler.doesExist('timeout', key)) this.scheduler.deleteTimeout(key);
  }

  private timerName(name: string): string {
    return `job:${name}:${this.holder}`;
  }

  private async iterate(job: JobState): Promise<JobOutcome> {
    const { name } = job.def;
    if (job.running) {
      this.summary(job, { outcome: 'skipped_overlap', tookMs: 0, processed: 0, failed: 0 });
      return 'skipped_overlap';
    }
    let resolveRunning!: () => void;
    job.running = new Promise<void>((r) => (resolveRunning = r));
    const started = performance.now();
    const abort = new AbortController();
    job.abort = abort;
    const counters = { processed: 0, failed: 0 };
    let outcome: JobOutcome = 'ok';
    let error: Error | undefined;
    const ctx = { label: `job.${name}`, budget: this.budget, signal: abort.signal };
    const leaseTtl = Math.max(job.def.intervalMs * 2, job.def.timeoutMs + ABORT_GRACE_MS + 5_000);
    let deadline: NodeJS.Timeout | undefined;
    let renew: NodeJS.Timeout | undefined;
    try {
      const leader = await withCaller(ctx, () => this.leases.acquire(name, this.holder, leaseTtl));
      if (!leader) {
        outcome = 'skipped_not_leader';
        return outcome;
      }
      job.status.lastStartedAt = new Date().toISOString();
      deadline = setTimeout(
        () => abort.abort(new Error(`deadline of ${job.def.timeoutMs} ms exceeded`)),
        job.def.timeoutMs,
      );
      renew = setInterval(
        () =>
          void withCaller(ctx, () => this.leases.renew(name, this.holder, leaseTtl)).catch(() => undefined),
        Math.max(1_000, Math.floor(leaseTtl / 3)),
      );
      const work = withCaller(ctx, () =>
        job.def.run({
          signal: abort.signal,
          progress: (d) => {
            counters.processed += d?.processed ?? 0;
            counters.failed += d?.failed ?? 0;
            this.signals.record(`job.${name}.progress`);
          },
        }),
      );
      const result = await raceAbort(work, abort.signal, ABORT_GRACE_MS);
      if (result === ABANDONED) {
        outcome = 'timeout';
        job.stuck = true;
        // Keep single flight until the abandoned iteration really ends, however long that takes.
        work.then(
          () => this.unstick(job, resolveRunning),
          () => this.unstick(job, resolveRunning),
        );
        return outcome;
      }
      const r = (result ?? {}) as JobResult;
      counters.processed += r.processed ?? 0;
      counters.failed += r.failed ?? 0;
      if (abort.signal.aborted) outcome = this.stopping ? 'aborted' : 'timeout';
      return outcome;
    } catch (err) {
      error = err as Error;
      outcome = abort.signal.aborted ? (this.stopping ? 'aborted' : 'timeout') : 'failed';
      return outcome;
    } finally {
      clearTimeout(deadline);
      clearInterval(renew);
      const tookMs = Math.round(performance.now() - started);
      if (outcome !== 'skipped_not_leader') {
        job.status.lastOutcome = outcome;
        job.status.lastFinishedAt = new Date().toISOString();
        job.status.lastDurationMs = tookMs;
        job.status.lastError = error?.message;
        this.signals.record(`job.${name}.finished`, { outcome, tookMs });
      }
      this.summary(job, { outcome, tookMs, ...counters }, error);
      if (!job.stuck) {
        job.running = undefined;
        resolveRunning();
        this.afterIteration(job);
      }
    }
  }

  private afterIteration(job: JobState): void {
    if (!job.wakePending) return;
    job.wakePending = false;
    setImmediate(() => this.wake(job.def.name));
  }

  private unstick(job: JobState, resolveRunning: () => void): void {
    job.stuck = false;
    job.running = undefined;
    resolveRunning();
    this.logger.warn(`job=${job.def.name} abandoned iteration finally ended`);
    this.afterIteration(job);
  }

  private summary(
    job: JobState,
    s: { outcome: JobOutcome; tookMs: number; processed: number; failed: number },
    error?: Error,
  ): void {
    const line = `job=${job.def.name} took_ms=${s.tookMs} processed=${s.processed} failed=${s.failed} outcome=${s.outcome}`;
    // An idle iteration says nothing at info: a job ticking every few seconds would flood the log.
    const idle = s.outcome === 'ok' && s.processed === 0 && s.failed === 0;
    if (s.outcome === 'skipped_not_leader' || idle) this.logger.debug(line);
    else if (s.outcome === 'ok' || s.outcome === 'skipped_overlap') this.logger.log(line);
    else if (error && s.outcome === 'failed')
      this.logger.error(`${line} error=${error.message}`, error.stack);
    else this.logger.warn(error ? `${line} error=${error.message}` : line);
  }
}

const ABANDONED = Symbol('abandoned');

/** Resolves with the work's result, or ABANDONED when the signal fired and the work ignored it for graceMs. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | typeof ABANDONED> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve(ABANDONED), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** JOB_INTERVALS overrides an author's interval; jitter, first run and deadline scale with it. */
function withIntervalOverride(def: JobDefinition, intervalMs: number | undefined): JobDefinition {
  if (intervalMs === undefined || intervalMs === def.intervalMs) return def;
  const scale = intervalMs / def.intervalMs;
  return {
    ...def,
    intervalMs,
    jitterMs: def.jitterMs === undefined ? undefined : Math.round(def.jitterMs * scale),
    timeoutMs: def.timeoutMs === undefined ? undefined : Math.min(def.timeoutMs, intervalMs),
    initialDelayMs: def.initialDelayMs === undefined ? undefined : Math.round(def.initialDelayMs * scale),
  };
}
