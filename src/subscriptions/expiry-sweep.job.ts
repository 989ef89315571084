import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { ExpiryService } from './expiry.service';

@Injectable()
export class ExpirySweepJob implements OnModuleInit {
  constructor(
    private readonly runner: JobRunnerService,
    private readonly expiry: ExpiryService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      name: 'expiry-sweep',
      intervalMs: 60_000,
      jitterMs: 10_000,
      timeoutMs: 45_000,
      run: async (ctx) => {
        await this.expiry.sweep(ctx);
      },
    });
  }
}
