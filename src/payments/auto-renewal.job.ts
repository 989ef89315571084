import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { AutoRenewalService } from './auto-renewal.service';

@Injectable()
export class AutoRenewalJob implements OnModuleInit {
  constructor(
    private readonly runner: JobRunnerService,
    private readonly autoRenewal: AutoRenewalService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      name: 'auto-renewal',
      intervalMs: 300_000,
      jitterMs: 30_000,
      timeoutMs: 120_000,
      run: async (ctx) => {
        await this.autoRenewal.run(ctx);
      },
    });
  }
}
