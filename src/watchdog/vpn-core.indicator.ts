import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SignalRegistry, type VpnCoreStatus } from '../signals/signal-registry';

export type VpnCoreState = 'reachable' | 'unreachable' | 'unknown';

/** Always up and memory-only: a core outage must not take the bot out of the load balancer. */
@Injectable()
export class VpnCoreIndicator {
  constructor(
    private readonly his: HealthIndicatorService,
    private readonly registry: SignalRegistry,
  ) {}

  check(key = 'vpnCore'): HealthIndicatorResult {
    const s = this.his.check(key);
    const cores = this.registry
      .list('vpn.core:')
      .map(({ name, part }) => ({ name, status: part.status() }))
      .filter((c): c is { name: string; status: VpnCoreStatus } => c.status !== undefined);
    if (cores.length === 0) return s.up({ state: 'unknown', reportOnly: true, note: 'no VPN module' });
    if (cores.length === 1) {
      const { state, ...rest } = details(cores[0].status);
      return s.up({ state, reportOnly: true, ...rest });
    }
    const each = cores.map((c) => ({ name: c.name, ...details(c.status) }));
    const state: VpnCoreState = each.some((c) => c.state === 'unreachable')
      ? 'unreachable'
      : each.every((c) => c.state === 'reachable')
        ? 'reachable'
        : 'unknown';
    return s.up({
      state,
      reportOnly: true,
      cores: Object.fromEntries(each.map(({ name, ...d }) => [name, d])),
    });
  }
}

export function details(core: VpnCoreStatus) {
  const lastOk = core.lastProbe === 'ok';
  const failed = core.lastProbe === 'failed' || core.lastProbe === 'timeout';
  // A replica that does not hold the job's lease never probes: it reports what its own circuit saw.
  const state: VpnCoreState =
    core.circuitOpen || failed
      ? 'unreachable'
      : lastOk || core.lastHealthyAgeMs !== undefined
        ? 'reachable'
        : 'unknown';
  return {
    state,
    circuit: core.circuitOpen ? 'open' : 'closed',
    lastProbe: core.lastProbe,
    lastProbeAt: core.lastProbeAt,
    lastError: failed ? core.lastProbeError : undefined,
    lastHealthyAgeMs: core.lastHealthyAgeMs === undefined ? undefined : Math.round(core.lastHealthyAgeMs),
    ...(core.figures && {
      node: core.figures.state,
      users: core.figures.users,
      capacity: core.figures.capacity ?? undefined,
      backlog: core.figures.backlog,
      failedOperations: core.figures.failed,
    }),
  };
}
