import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { JobRunnerService } from '../jobs/job-runner.service';
import { SignalsService } from '../signals/signals.service';
import { CoreHealthJob } from '../vpn/core-health.job';
import { VpnCircuit } from '../vpn/vpn-circuit';

export type VpnCoreState = 'reachable' | 'unreachable' | 'unknown';

/**
 * "VPN core reachable", from what the vpn module already knows: the core-health job's last probe (every 30 s)
 * and the circuit breaker shared by every call to the core. It reads memory only (no call to the core on a
 * probe), so it answers at once even when the core hangs.
 *
 * Report-only: it is always `up`, with the state in its details. A VPN core outage must not take the bot out
 * of the load balancer: users still need /start, payments and support while keys are provisioned later by
 * the outbox (the paid-but-not-delivered guard), and a failing readiness probe would not make the core come
 * back. Operators alert on `state` (or the `vpn-health` job outcome in /metrics) instead.
 */
@Injectable()
export class VpnCoreIndicator {
  constructor(
    private readonly his: HealthIndicatorService,
    private readonly signals: SignalsService,
    private readonly jobs: JobRunnerService,
    private readonly moduleRef: ModuleRef,
  ) {}

  check(key = 'vpnCore'): HealthIndicatorResult {
    const s = this.his.check(key);
    const circuit = this.optional(VpnCircuit);
    const job = this.jobs.status().find((j) => j.name === CoreHealthJob.jobName);
    if (!circuit || !job) return s.up({ state: 'unknown', reportOnly: true, note: 'no VPN module' });
    const lastHealthyAgeMs = this.signals.ageMs('vpn.core.healthy');
    const lastOk = job.lastOutcome === 'ok';
    const failed = job.lastOutcome === 'failed' || job.lastOutcome === 'timeout';
    // A replica that does not hold the job's lease never probes: it reports what its own circuit saw.
    const state: VpnCoreState =
      circuit.isOpen || failed
        ? 'unreachable'
        : lastOk || lastHealthyAgeMs !== undefined
          ? 'reachable'
          : 'unknown';
    return s.up({
      state,
      reportOnly: true,
      circuit: circuit.isOpen ? 'open' : 'closed',
      lastProbe: job.lastOutcome,
      lastProbeAt: job.lastFinishedAt,
      lastError: failed ? job.lastError : undefined,
      lastHealthyAgeMs: lastHealthyAgeMs === undefined ? undefined : Math.round(lastHealthyAgeMs),
    });
  }

  private optional<T>(type: new (...args: never[]) => T): T | undefined {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return undefined;
    }
  }
}
