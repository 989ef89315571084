import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { PurchasesService } from './purchases.service';

@Injectable()
export class PurchaseExpiryJob implements OnModuleInit {
  constructor(
    private readonly runner: JobRunnerService,
    private readonly purchases: PurchasesService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      name: 'purchase-expiry',
      intervalMs: 300_000,
      jitterMs: 30_000,
      timeoutMs: 60_000,
      run: async (ctx) => {
        await this.purchases.expireStale({
          signal: ctx.signal,
          onBatch: (n) => ctx.progress({ processed: n }),
        });
      },
    });
  }
}
