import { Injectable, Logger } from '@nestjs/common';
import { JOB_NAMES } from '../jobs/job-schedules';
import { JobRunnerService } from '../jobs/job-runner.service';
import type { JobContext } from '../jobs/job.types';
import { SignalsService } from '../signals/signals.service';
import { VpnCircuit } from './vpn-circuit';
import { VpnProvider } from './vpn-provider';

/** Probes the core's sentinel; a core that lost its users (a restart) gets a reconciliation right away. */
@Injectable()
export class CoreHealthService {
  private readonly logger = new Logger('CoreHealthService');

  constructor(
    private readonly runner: JobRunnerService,
    private readonly provider: VpnProvider,
    private readonly circuit: VpnCircuit,
    private readonly signals: SignalsService,
  ) {}

  async runOnce(ctx: Pick<JobContext, 'signal'>): Promise<{ stateLost: boolean }> {
    const { stateLost } = await this.circuit.execute(
      (signal) => this.provider.health({ signal }),
      ctx.signal,
    );
    this.signals.record('vpn.core.healthy', { stateLost });
    if (stateLost) {
      this.logger.warn('VPN core lost its users (restart?): reconciling now');
      await this.runner.runNow(JOB_NAMES.vpnReconcile);
    }
    return { stateLost };
  }
}
