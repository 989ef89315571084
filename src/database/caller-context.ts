import { AsyncLocalStorage } from 'node:async_hooks';
import type { BulkheadPolicy } from 'cockatiel';

export interface CallerContext {
  /** Who is using the database: shown in pool hold/wait statistics and starvation warnings. */
  label: string;
  /** Set for background jobs: every DB call waits for a slot of the jobs' shared connection budget. */
  budget?: BulkheadPolicy;
  /** Aborts budget waits when the caller's deadline passes. */
  signal?: AbortSignal;
}

const storage = new AsyncLocalStorage<CallerContext>();

export function currentCaller(): CallerContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with a caller label (and optionally a connection budget) visible to the pool monitor. */
export function withCaller<T>(ctx: CallerContext, fn: () => T): T {
  return storage.run(ctx, fn);
}
