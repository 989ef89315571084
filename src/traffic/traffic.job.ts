import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { TrafficAccountingService } from './traffic-accounting.service';

@Injectable()
export class TrafficJob implements OnModuleInit {
  static readonly jobName = JOB_NAMES.traffic;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly accounting: TrafficAccountingService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, TrafficJob.jobName),
      run: (ctx) => this.accounting.runOnce(ctx),
    });
  }
}
