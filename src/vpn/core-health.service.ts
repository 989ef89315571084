import { Injectable, Logger } from '@nestjs/common';
import { JOB_NAMES } from '../jobs/job-schedules';
import { JobRunnerService } from '../jobs/job-runner.service';
import type { JobContext } from '../jobs/job.types';
import { SignalsService } from '../signals/signals.service';
import { VpnFleetService } from './vpn-fleet.service';
import { VpnNodeAlertsService } from './vpn-node-alerts.service';
import { VpnNodesRepository } from './vpn-nodes.repository';
import { VpnNodesService } from './vpn-nodes.service';

/** The signal recorded when the default node's core answers; other nodes record `vpn.core.healthy:<code>`. */
export const HEALTHY_SIGNAL = 'vpn.core.healthy';

export function healthySignal(node: string, index: number): string {
  return index === 0 ? HEALTHY_SIGNAL : `${HEALTHY_SIGNAL}:${node}`;
}

/** A core that lost its users is reconciled at once; a node's first contact is expected to be empty. */
@Injectable()
export class CoreHealthService {
  private readonly logger = new Logger('CoreHealthService');
  /** Nodes whose last probe failed, so "down" and "back" are each said once. */
  readonly down = new Map<string, string>();

  constructor(
    private readonly runner: JobRunnerService,
    private readonly fleet: VpnFleetService,
    private readonly nodes: VpnNodesRepository,
    private readonly fleetChanges: VpnNodesService,
    private readonly signals: SignalsService,
    private readonly alerts: VpnNodeAlertsService,
  ) {}

  private readonly seen = new Set<string>();
  lastLost: string[] = [];

  async runOnce(ctx: Pick<JobContext, 'signal'>): Promise<{ stateLost: boolean }> {
    const lost: string[] = [];
    let firstError: unknown;
    await Promise.all(
      this.fleet.lanes.map(async ({ node, provider, circuit }, i) => {
        try {
          const { stateLost } = await circuit.execute((signal) => provider.health({ signal }), ctx.signal);
          this.signals.record(healthySignal(node.code, i), { stateLost });
          const wasDown = this.down.delete(node.code);
          if (wasDown) this.logger.log(`VPN node ${node.code} answers again`);
          // After a restart the outage may have been opened by the previous process: close it once.
          if (wasDown || !this.seen.has(node.code)) await this.tellAdmins(() => this.alerts.up(node.code));
          const firstContact = !this.seen.has(node.code) && (await this.nodes.markSeen(node.code));
          this.seen.add(node.code);
          if (!stateLost) return;
          // A node added later gets every subscription that may use it as visible outbox operations.
          if (firstContact) {
            this.logger.log(`VPN node ${node.code} contacted for the first time: provisioning its users`);
            await this.fleetChanges.backfill(node.code, ctx.signal);
          } else this.logger.warn(`VPN core of node ${node.code} lost its users (restart?): reconciling now`);
          lost.push(node.code);
        } catch (err) {
          const message = (err as Error).message;
          if (!this.down.has(node.code)) {
            this.logger.warn(`VPN node ${node.code} is unreachable: ${message}`);
            await this.tellAdmins(() => this.alerts.down(node.code, message));
          }
          this.down.set(node.code, message);
          firstError ??= err;
        }
      }),
    );
    this.lastLost = lost;
    await this.tellAdmins(() => this.fleetChanges.refreshFigures());
    if (lost.length) await this.runner.runNow(JOB_NAMES.vpnReconcile);
    if (firstError !== undefined) throw firstError;
    return { stateLost: lost.length > 0 };
  }

  /** A database hiccup while telling the admins must not turn a node's probe into a failure. */
  private async tellAdmins(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn(`VPN node episode not recorded: ${(err as Error).message}`);
    }
  }
}
