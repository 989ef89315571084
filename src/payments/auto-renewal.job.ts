import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { AutoRenewalService } from './auto-renewal.service';

@Injectable()
export class AutoRenewalJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly autoRenewal: AutoRenewalService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.autoRenewal),
      run: async (ctx) => {
        await this.autoRenewal.run(ctx);
      },
    });
  }
}
