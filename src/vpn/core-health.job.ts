import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { CoreHealthService } from './core-health.service';

@Injectable()
export class CoreHealthJob implements OnModuleInit {
  static readonly jobName = JOB_NAMES.vpnHealth;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly health: CoreHealthService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, CoreHealthJob.jobName),
      run: async (ctx) => {
        await this.health.runOnce(ctx);
      },
    });
  }
}
