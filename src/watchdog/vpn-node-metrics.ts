import { Counter, Gauge, type Registry } from 'prom-client';
import type { SignalRegistry } from '../signals/signal-registry';
import { details } from './vpn-core.indicator';

/** Read from memory at scrape time; the health job refreshes the row counts. */
export function registerVpnNodeMetrics(registry: Registry, parts: SignalRegistry): void {
  const nodes = () =>
    parts
      .list('vpn.core:')
      .map(({ name, part }) => ({ node: name, status: part.status() }))
      .filter((n) => n.status !== undefined)
      .map((n) => ({ node: n.node, status: n.status! }));
  const gauge = (
    name: string,
    help: string,
    value: (s: ReturnType<typeof nodes>[number]) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['node'],
      registers: [registry],
      collect() {
        this.reset();
        for (const n of nodes()) {
          const v = value(n);
          if (v !== undefined) this.set({ node: n.node }, v);
        }
      },
    });
  gauge(
    'vpn_node_core_reachable',
    'VPN node core reachable (1), unreachable (0); absent while unknown',
    (n) => {
      const state = details(n.status).state;
      return state === 'unknown' ? undefined : state === 'reachable' ? 1 : 0;
    },
  );
  gauge('vpn_node_circuit_open', 'VPN node circuit breaker open (1) or closed (0)', (n) =>
    n.status.circuitOpen ? 1 : 0,
  );
  gauge(
    'vpn_node_users',
    'Subscriptions provisioned on the node (as of the last health job)',
    (n) => n.status.figures?.users,
  );
  gauge(
    'vpn_node_capacity',
    'User capacity of the node, when it has one',
    (n) => n.status.figures?.capacity ?? undefined,
  );
  gauge(
    'vpn_node_outbox_backlog',
    'Operations pending or in progress for the node',
    (n) => n.status.figures?.backlog,
  );
  gauge(
    'vpn_node_operations_failed',
    'Operations of the node in the failed state',
    (n) => n.status.figures?.failed,
  );
  new Counter({
    name: 'vpn_node_outbox_results_total',
    help: 'Outbox results per node since start (done, retried, failed, deferred by an open circuit)',
    labelNames: ['node', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of nodes()) {
        const t = n.status.outbox;
        if (!t) continue;
        this.inc({ node: n.node, result: 'done' }, t.done);
        this.inc({ node: n.node, result: 'retried' }, t.retried);
        this.inc({ node: n.node, result: 'failed' }, t.failed);
        this.inc({ node: n.node, result: 'deferred' }, t.deferredByCircuit);
      }
    },
  });
}
