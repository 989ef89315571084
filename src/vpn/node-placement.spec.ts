import { describe, expect, it } from 'vitest';
import { mayHold, type PlacedNode } from './node-placement';

const fleet: PlacedNode[] = [
  { code: 'nl-1', tags: ['trial'], state: 'active' },
  { code: 'de-1', tags: ['premium'], state: 'active' },
  { code: 'fi-1', tags: ['premium'], state: 'draining' },
  { code: 'se-1', tags: [], state: 'disabled' },
  { code: 'old', tags: ['trial'], state: 'retired' },
];
const node = (code: string) => fleet.find((n) => n.code === code)!;

describe('node placement (the writer rule reconciliation follows)', () => {
  it('lets a subscription hold keys on nodes in service carrying one of its tags, or any when it has none', () => {
    expect(fleet.map((n) => mayHold(['premium'], n, fleet))).toEqual([false, true, true, false, false]);
    expect(fleet.map((n) => mayHold([], n, fleet))).toEqual([true, true, true, false, false]);
  });

  it('falls back to every node in service when no active node carries its tags, as the writer does', () => {
    // `gold` is on no node; `trial` only on a retired one once nl-1 is drained.
    expect(fleet.map((n) => mayHold(['gold'], n, fleet))).toEqual([true, true, true, false, false]);
    const drained = fleet.map((n) => (n.code === 'nl-1' ? { ...n, state: 'draining' as const } : n));
    expect(drained.map((n) => mayHold(['trial'], n, drained))).toEqual([true, true, true, false, false]);
  });

  it('never places a key on a disabled or retired node', () => {
    expect(mayHold(['trial'], node('old'), fleet)).toBe(false);
    expect(mayHold([], node('se-1'), fleet)).toBe(false);
  });
});
