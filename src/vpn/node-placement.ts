import type { AppConfig } from '../config/app-config';
import type { VpnNodeRowState } from './vpn-node.entity';
import type { NodePlacement } from './vpn-subscriptions.repository';

/** Whether a subscription with these node tags may use a node carrying `nodeTags` (empty: every node). */
export function tagsAllow(allowed: readonly string[], nodeTags: readonly string[]): boolean {
  return allowed.length === 0 || allowed.some((t) => nodeTags.includes(t));
}

export interface PlacedNode {
  code: string;
  tags: readonly string[];
  state: VpnNodeRowState;
}

/** Same rule as provisionNodesSql, tag fallback included: change both together. */
export function mayHold(allowed: readonly string[], node: PlacedNode, fleet: readonly PlacedNode[]): boolean {
  if (node.state !== 'active' && node.state !== 'draining') return false;
  if (tagsAllow(allowed, node.tags)) return true;
  return !fleet.some((n) => n.state === 'active' && tagsAllow(allowed, n.tags));
}

/** What reconciliation must converge one node to: the same rule the writer used to queue its keys. */
export function placementOf(
  config: AppConfig,
  node: PlacedNode & { capacity?: number | null },
  fleet: readonly PlacedNode[],
): NodePlacement {
  return {
    code: node.code,
    open: node.state === 'active' || node.state === 'draining',
    trialAllowed: mayHold(config.subscriptions.trialNodeTags, node, fleet),
    deniedPlans: config.subscriptions.plans
      .filter((p) => !mayHold(p.nodeTags ?? [], node, fleet))
      .map((p) => p.code),
    placedOnly: node.capacity != null,
  };
}
