export interface JobContext {
  /** Aborted at the iteration's deadline or at shutdown. Pass it on. */
  signal: AbortSignal;
  progress(delta?: { processed?: number; failed?: number }): void;
}

export interface JobResult {
  processed?: number;
  failed?: number;
}

export interface JobDefinition {
  name: string;
  intervalMs: number;
  jitterMs?: number;
  timeoutMs?: number;
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
  /** Iterations started by the schedule, and by wake-ups (commits of the job's work), since start. */
  ticks: number;
  wakeups: number;
}
