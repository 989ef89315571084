import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { ExpiryService } from './expiry.service';

@Injectable()
export class ExpirySweepJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly expiry: ExpiryService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.expirySweep),
      run: async (ctx) => {
        await this.expiry.sweep(ctx);
      },
    });
  }
}
