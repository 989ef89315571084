import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { JobRunnerService } from '../../jobs/job-runner.service';
import { JOB_NAMES, jobSchedule } from '../../jobs/job-schedules';
import { TelegramInboxRepository } from './telegram-inbox.repository';

@Injectable()
export class TelegramInboxCleanupJob implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly runner: JobRunnerService,
    private readonly inbox: TelegramInboxRepository,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      ...jobSchedule(this.config, JOB_NAMES.telegramInboxCleanup),
      run: (ctx) =>
        this.inbox.cleanupAll(this.config.telegram.inboxRetentionHours, {
          signal: ctx.signal,
          onBatch: (deleted) => ctx.progress({ processed: deleted }),
        }),
    });
  }
}
