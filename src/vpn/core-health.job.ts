import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import type { JobContext } from '../jobs/job.types';
import { SignalsService } from '../signals/signals.service';
import { ReconciliationJob } from './reconciliation.job';
import { VpnCircuit } from './vpn-circuit';
import { VpnProvider } from './vpn-provider';

const INTERVAL_MS = 30_000;

/**
 * Probes the core's sentinel every 30 s so a restarted core (users lost) is repaired within seconds rather
 * than at the next 10-minute reconciliation.
 */
@Injectable()
export class CoreHealthJob implements OnModuleInit {
  static readonly jobName = 'vpn-health';
  private readonly logger = new Logger('CoreHealthJob');

  constructor(
    private readonly runner: JobRunnerService,
    private readonly provider: VpnProvider,
    private readonly circuit: VpnCircuit,
    private readonly signals: SignalsService,
  ) {}

  onModuleInit(): void {
    this.runner.register({
      name: CoreHealthJob.jobName,
      intervalMs: INTERVAL_MS,
      jitterMs: 5_000,
      timeoutMs: 20_000,
      run: async (ctx) => {
        await this.runOnce(ctx);
      },
    });
  }

  async runOnce(ctx: Pick<JobContext, 'signal'>): Promise<{ stateLost: boolean }> {
    const { stateLost } = await this.circuit.execute(
      (signal) => this.provider.health({ signal }),
      ctx.signal,
    );
    this.signals.record('vpn.core.healthy', { stateLost });
    if (stateLost) {
      this.logger.warn('VPN core lost its users (restart?): reconciling now');
      await this.runner.runNow(ReconciliationJob.jobName);
    }
    return { stateLost };
  }
}
