import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { JobRunnerService } from '../../../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../../../jobs/job-schedules';
import { CryptoPayWatcherService } from './crypto-pay-watcher.service';

@Injectable()
export class CryptoPayWatcherJob implements OnModuleInit {
  static readonly jobName = JOB_NAMES.cryptoPayWatcher;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly watcher: CryptoPayWatcherService,
  ) {}

  onModuleInit(): void {
    if (!this.config.cryptoPay.enabled) return;
    this.runner.register({
      ...jobSchedule(this.config, CryptoPayWatcherJob.jobName),
      run: (ctx) => this.watcher.run(ctx),
    });
  }
}
