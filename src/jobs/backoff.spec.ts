import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  it('doubles per attempt up to the cap and stays in the upper half of each step', () => {
    const o = { baseMs: 1_000, maxMs: 30_000 };
    for (const [attempt, ceiling] of [
      [1, 1_000],
      [2, 2_000],
      [5, 16_000],
      [6, 30_000],
      [60, 30_000],
    ] as const) {
      for (let i = 0; i < 200; i++) {
        const d = retryDelayMs(attempt, o);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('spreads rows that failed together instead of making them due at one instant', () => {
    const delays = new Set(
      Array.from({ length: 100 }, () => retryDelayMs(4, { baseMs: 1_000, maxMs: 60_000 })),
    );
    expect(delays.size).toBeGreaterThan(50);
  });
});
