import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { ProvisioningOutboxService } from './provisioning-outbox.service';

@Injectable()
export class ProvisioningOutboxJob implements OnModuleInit {
  static readonly jobName = JOB_NAMES.vpnProvisioning;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly outbox: ProvisioningOutboxService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, ProvisioningOutboxJob.jobName),
      run: (ctx) => this.outbox.runOnce(ctx),
    });
  }
}
