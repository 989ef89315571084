import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { JobRunnerService } from '../../../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../../../jobs/job-schedules';
import { StarsReconciliationService } from './stars-reconciliation.service';

@Injectable()
export class StarsReconciliationJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly reconciliation: StarsReconciliationService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.starsReconcile),
      run: (ctx) => this.reconciliation.run(ctx),
    });
  }
}
