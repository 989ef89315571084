import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import type { JobContext } from '../jobs/job.types';
import { ExpiryRepository } from './expiry.repository';

export const EXPIRY_BATCH_SIZE = 500;
const MIN_BATCH = 25;
/** A quarter of the 100 ms hold budget, so a slow batch on a busy server still stays inside it. */
const TARGET_BATCH_MS = 25;
const HOUR_MS = 3_600_000;

@Injectable()
export class ExpiryService {
  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly expiry: ExpiryRepository,
  ) {}

  /** The batch size keeps one transaction near TARGET_BATCH_MS: slow servers get smaller batches. */
  async sweep(ctx: JobContext, maxBatch = EXPIRY_BATCH_SIZE): Promise<number> {
    let processed = 0;
    let size = Math.min(maxBatch, 100);
    while (!ctx.signal.aborted) {
      const started = performance.now();
      const n = await this.expireBatch(size);
      const tookMs = performance.now() - started;
      processed += n;
      ctx.progress({ processed: n });
      if (n < size) break;
      size = nextBatchSize({ size, tookMs, max: maxBatch });
    }
    return processed;
  }

  async expireBatch(limit = EXPIRY_BATCH_SIZE): Promise<number> {
    const now = this.clock.now();
    const { autoRenewGraceHours, balanceCurrency } = this.config.payments;
    return this.expiry.expireDue({
      now,
      limit,
      graceFrom: new Date(now.getTime() - autoRenewGraceHours * HOUR_MS),
      balanceCurrency,
    });
  }
}

export function nextBatchSize(b: { size: number; tookMs: number; max: number }): number {
  const ideal = (b.size * TARGET_BATCH_MS) / Math.max(b.tookMs, 1);
  const bounded = Math.min(Math.max(ideal, b.size / 2), b.size * 2);
  return Math.round(Math.min(Math.max(bounded, MIN_BATCH), b.max));
}
