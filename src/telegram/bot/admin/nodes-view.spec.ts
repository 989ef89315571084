import { describe, expect, it } from 'vitest';
import { nodeChangedView, nodesView } from './admin.view';

describe('admin nodes view', () => {
  it('shows each node with its state, users, backlog, failures, reachability and last error', () => {
    const text = nodesView(
      [
        {
          code: 'nl-1',
          name: 'Amsterdam',
          state: 'active',
          capacity: 200,
          users: 120,
          backlog: 0,
          failed: 0,
          lastError: null,
        },
        {
          code: 'de-1',
          name: 'Frankfurt',
          state: 'draining',
          capacity: null,
          users: 7,
          backlog: 3,
          failed: 1,
          lastError: 'unavailable: connect ECONNREFUSED',
        },
      ],
      new Map([['de-1', 'connect ECONNREFUSED 10.0.0.7:10085']]),
    );
    expect(text).toContain('🟢 nl-1 (Amsterdam) active: 120/200 users, backlog 0, failed 0');
    expect(text).toContain(
      '🟡 de-1 (Frankfurt) draining: 7 users, backlog 3, failed 1, ❌ unreachable: connect ECONNREFUSED 10.0.0.7:10085',
    );
    expect(text).toContain('last error: unavailable: connect ECONNREFUSED');
  });

  it('marks a node no longer configured as retired', () => {
    const text = nodesView(
      [
        {
          code: 'default',
          name: 'VPN',
          state: 'retired',
          capacity: null,
          users: 0,
          backlog: 0,
          failed: 0,
          lastError: null,
        },
      ],
      new Map(),
    );
    expect(text).toContain('🗄 default (VPN) retired (not configured): 0 users');
  });

  it('says what a state change does, and names an unknown node', () => {
    expect(nodeChangedView('de-1', 'draining', true)).toMatch(/no new keys/);
    expect(nodeChangedView('de-1', 'disabled', true)).toMatch(/keys are being removed/);
    expect(nodeChangedView('xx', 'active', false)).toBe(
      'Unknown node xx (or retired: no longer configured).',
    );
  });
});
