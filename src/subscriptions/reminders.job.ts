import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { RemindersService } from './reminders.service';

@Injectable()
export class RemindersJob implements OnModuleInit {
  constructor(
    private readonly runner: JobRunnerService,
    private readonly reminders: RemindersService,
  ) {}

  onModuleInit(): void {
    // Five minutes keeps the one-hour trial reminder timely without rescanning the windows too often.
    this.runner.register({
      name: 'reminders',
      intervalMs: 300_000,
      jitterMs: 30_000,
      timeoutMs: 120_000,
      run: async (ctx) => {
        await this.reminders.run(ctx);
      },
    });
  }
}
