import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../jobs/job-schedules';
import { BroadcastDeliveryService } from './broadcast-delivery.service';

@Injectable()
export class BroadcastDeliveryJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly delivery: BroadcastDeliveryService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.broadcastDelivery),
      run: (ctx) => this.delivery.deliver(ctx),
    });
  }
}
