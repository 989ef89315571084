import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { JobRunnerService } from '../../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../../jobs/job-schedules';
import { NotificationsDeliveryService } from './notifications-delivery.service';

@Injectable()
export class NotificationsDeliveryJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly delivery: NotificationsDeliveryService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.notificationsDelivery),
      run: (ctx) => this.delivery.deliver(ctx),
    });
  }
}
