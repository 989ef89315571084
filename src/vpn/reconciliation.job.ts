import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { ReconciliationService } from './reconciliation.service';

@Injectable()
export class ReconciliationJob implements OnModuleInit {
  static readonly jobName = JOB_NAMES.vpnReconcile;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly reconciliation: ReconciliationService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, ReconciliationJob.jobName),
      run: (ctx) => this.reconciliation.runOnce(ctx),
    });
  }
}
