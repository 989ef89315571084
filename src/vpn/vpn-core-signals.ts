import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { SignalRegistry } from '../signals/signal-registry';
import { SignalsService } from '../signals/signals.service';
import { CoreHealthService, healthySignal } from './core-health.service';
import { VpnFleetService } from './vpn-fleet.service';
import { JOB_NAMES } from '../jobs/job-schedules';
import { ProvisioningOutboxService } from './provisioning-outbox.service';
import { VpnNodesService } from './vpn-nodes.service';

/** Report-only: one node down never fails readiness. */
@Injectable()
export class VpnCoreSignals implements OnModuleInit {
  constructor(
    private readonly registry: SignalRegistry,
    private readonly fleet: VpnFleetService,
    private readonly health: CoreHealthService,
    private readonly jobs: JobRunnerService,
    private readonly signals: SignalsService,
    private readonly nodes: VpnNodesService,
    private readonly outbox: ProvisioningOutboxService,
  ) {}

  onModuleInit(): void {
    this.fleet.lanes.forEach(({ node, circuit }, i) => {
      this.registry.add('vpn.core:', node.code, {
        status: () => {
          const job = this.jobs.status().find((j) => j.name === JOB_NAMES.vpnHealth);
          if (!job) return undefined;
          // One job probes every node: with several, the node's own result says more than the job's.
          const single = this.fleet.lanes.length === 1;
          const down = this.health.down.get(node.code);
          const own = down !== undefined ? 'failed' : job.lastOutcome === 'failed' ? 'ok' : job.lastOutcome;
          const f = this.nodes.figures.get(node.code);
          const totals = this.outbox.totalsByNode.get(node.code);
          return {
            figures: f && {
              state: f.state,
              users: f.users,
              capacity: f.capacity,
              backlog: f.backlog,
              failed: f.failed,
            },
            outbox: totals && { ...totals },
            circuitOpen: circuit.isOpen,
            lastProbe: single ? job.lastOutcome : own,
            lastProbeAt: job.lastFinishedAt,
            lastProbeError: single ? job.lastError : down,
            lastHealthyAgeMs: this.signals.ageMs(healthySignal(node.code, i)),
          };
        },
      });
    });
  }
}
