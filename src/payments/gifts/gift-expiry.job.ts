import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { JobRunnerService } from '../../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../../jobs/job-schedules';
import { GiftsService } from './gifts.service';

@Injectable()
export class GiftExpiryJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly gifts: GiftsService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.giftExpiry),
      run: async (ctx) => {
        await this.gifts.refundExpired({
          signal: ctx.signal,
          onBatch: (n) => ctx.progress({ processed: n }),
        });
      },
    });
  }
}
