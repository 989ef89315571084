import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SignalRegistry, type VpnCoreStatus } from '../signals/signal-registry';

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
    // Several nodes: reachable only when every node is.
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

function details(core: VpnCoreStatus) {
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
  };
}
