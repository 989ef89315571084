import { Injectable } from '@nestjs/common';
import { bulkhead, BulkheadRejectedError, TaskCancelledError, type BulkheadPolicy } from 'cockatiel';
import { AppConfig } from '../config/app-config';
import { withCaller } from './caller-context';

/** Requests that may wait for a slot at once; beyond it a flood is turned away without queueing. */
const QUEUE_PER_SLOT = 25;

export class HttpBudgetExhaustedError extends Error {
  constructor() {
    super('HTTP connection budget exhausted');
  }
}

/** Unauthenticated HTTP has its own connection budget: a flood waits here, not in the updates' pool. */
@Injectable()
export class HttpBudget {
  private readonly policy: BulkheadPolicy;
  private readonly waitMs: number;

  constructor(config: AppConfig) {
    const slots = config.http.connectionBudget;
    this.policy = bulkhead(slots, slots * QUEUE_PER_SLOT);
    this.waitMs = config.database.acquireTimeoutMs;
  }

  async run<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.waitMs);
    try {
      return await withCaller({ label, budget: this.policy, signal }, fn);
    } catch (err) {
      if (err instanceof BulkheadRejectedError || err instanceof TaskCancelledError)
        throw new HttpBudgetExhaustedError();
      throw err;
    }
  }

  async slot<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.waitMs);
    try {
      return await this.policy.execute(() => withCaller({ label }, fn), signal);
    } catch (err) {
      if (err instanceof BulkheadRejectedError || err instanceof TaskCancelledError)
        throw new HttpBudgetExhaustedError();
      throw err;
    }
  }
}
