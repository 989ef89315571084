import { AsyncLocalStorage } from 'node:async_hooks';
import type { BulkheadPolicy } from 'cockatiel';

export interface CallerContext {
  label: string;
  /** Set for background jobs: every DB call waits for a slot of the jobs' shared connection budget. */
  budget?: BulkheadPolicy;
  signal?: AbortSignal;
}

const storage = new AsyncLocalStorage<CallerContext>();

export function currentCaller(): CallerContext | undefined {
  return storage.getStore();
}

export function withCaller<T>(ctx: CallerContext, fn: () => T): T {
  return storage.run(ctx, fn);
}
