export interface JobContext {
  /** Aborted when the iteration passes its deadline or the application shuts down. Pass it on. */
  signal: AbortSignal;
  /** Heartbeat: the job is making progress (optionally counting items). Renews nothing by itself. */
  progress(delta?: { processed?: number; failed?: number }): void;
}

export interface JobResult {
  processed?: number;
  failed?: number;
}

export interface JobDefinition {
  /** kebab-case, unique; used in logs, signals (`job.<name>.finished`), leases and JOBS_DISABLED. */
  name: string;
  intervalMs: number;
  /** Random extra delay per tick, 0..jitterMs; default 10% of the interval. Avoids aligned timers. */
  jitterMs?: number;
  /** Iteration deadline; default min(interval, 5 min). The signal aborts at this point. */
  timeoutMs?: number;
  /** Delay before the first run; default a random point within one interval. */
  initialDelayMs?: number;
  run(ctx: JobContext): Promise<JobResult | void>;
}

export type JobOutcome = 'ok' | 'failed' | 'timeout' | 'skipped_overlap' | 'skipped_not_leader' | 'aborted';

export interface JobStatus {
  name: string;
  enabled: boolean;
  intervalMs: number;
  running: boolean;
  stuck: boolean;
  lastOutcome?: JobOutcome;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastDurationMs?: number;
  lastError?: string;
}
