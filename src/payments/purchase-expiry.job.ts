import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { PurchasesService } from './purchases.service';

@Injectable()
export class PurchaseExpiryJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly purchases: PurchasesService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.purchaseExpiry),
      run: async (ctx) => {
        await this.purchases.expireStale({
          signal: ctx.signal,
          onBatch: (n) => ctx.progress({ processed: n }),
        });
      },
    });
  }
}
