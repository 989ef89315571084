import { Injectable, Logger } from '@nestjs/common';
import { ProvisioningOutboxService, type OutboxTotals } from './provisioning-outbox.service';
import { VpnCircuit } from './vpn-circuit';
import { VpnFleetService } from './vpn-fleet.service';
import { VpnOperationsRepository, type FailedOperation } from './vpn-operations.repository';
import type { VpnOperationState } from './vpn-operation.entity';

export interface VpnOperationsMetrics {
  byState: Record<VpnOperationState, number>;
  totals: OutboxTotals;
  circuitOpen: boolean;
  circuitOpenedTimes: number;
  nodes: { node: string; circuitOpen: boolean; circuitOpenedTimes: number; totals: OutboxTotals }[];
}

const zeroTotals: OutboxTotals = { done: 0, retried: 0, failed: 0, deferredByCircuit: 0 };

@Injectable()
export class VpnOperationsService {
  private readonly logger = new Logger('VpnOperationsService');

  constructor(
    private readonly repo: VpnOperationsRepository,
    private readonly outbox: ProvisioningOutboxService,
    private readonly circuit: VpnCircuit,
    private readonly fleet: VpnFleetService,
  ) {}

  listFailed(limit = 20): Promise<FailedOperation[]> {
    return this.repo.listFailed(limit);
  }

  async retry(id: string): Promise<boolean> {
    const ok = await this.repo.retry(id);
    this.logger.log(
      `vpn operation ${id} ${ok ? 'requeued by admin' : 'not requeued (not failed or superseded)'}`,
    );
    return ok;
  }

  async retryMany(ids: string[]): Promise<{ id: string; nodeCode: string }[]> {
    const requeued = await this.repo.retryMany(ids);
    this.logger.log(`vpn operations requeued by admin: ${requeued.length} of ${ids.length}`);
    return requeued;
  }

  async metrics(): Promise<VpnOperationsMetrics> {
    return {
      byState: await this.repo.countByState(),
      totals: { ...this.outbox.totals },
      circuitOpen: this.circuit.isOpen,
      circuitOpenedTimes: this.circuit.opened,
      nodes: this.fleet.lanes.map(({ node, circuit }) => ({
        node: node.code,
        circuitOpen: circuit.isOpen,
        circuitOpenedTimes: circuit.opened,
        totals: { ...(this.outbox.totalsByNode.get(node.code) ?? zeroTotals) },
      })),
    };
  }
}
