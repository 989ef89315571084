import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { SignalRegistry } from '../signals/signal-registry';
import { SignalsService } from '../signals/signals.service';
import { VpnCircuit } from './vpn-circuit';
import { JOB_NAMES } from '../jobs/job-schedules';

/** The job that probes the core every 30 s, and the signal it records when the core answers. */
const HEALTHY_SIGNAL = 'vpn.core.healthy';
/** This deployment talks to one core; a second node would register under its own name. */
const CORE_NAME = 'default';

/** Exposes the VPN core's reachability (circuit and last probe) to the probes through the signal registry. */
@Injectable()
export class VpnCoreSignals implements OnModuleInit {
  constructor(
    private readonly registry: SignalRegistry,
    private readonly circuit: VpnCircuit,
    private readonly jobs: JobRunnerService,
    private readonly signals: SignalsService,
  ) {}

  onModuleInit(): void {
    this.registry.add('vpn.core:', CORE_NAME, {
      status: () => {
        const job = this.jobs.status().find((j) => j.name === JOB_NAMES.vpnHealth);
        if (!job) return undefined;
        return {
          circuitOpen: this.circuit.isOpen,
          lastProbe: job.lastOutcome,
          lastProbeAt: job.lastFinishedAt,
          lastProbeError: job.lastError,
          lastHealthyAgeMs: this.signals.ageMs(HEALTHY_SIGNAL),
        };
      },
    });
  }
}
