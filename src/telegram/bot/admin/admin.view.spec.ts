import { describe, expect, it } from 'vitest';
import { failedView, retryView } from './admin.view';

describe('admin views stay within Telegram limits', () => {
  it('lists 20 failed operations with long errors, and a retry of 500, in under 4096 characters', () => {
    const ops = Array.from({ length: 20 }, (_, i) => ({
      id: String(1000 + i),
      kind: 'provision',
      userId: 123456789,
      vpnEmail: `u123456789-${i}@vpn.example.com`,
      attempts: 12,
      updatedAt: new Date('2026-11-23T10:00:00Z'),
      lastError: 'x'.repeat(500),
    })) as unknown as Parameters<typeof failedView>[0];
    expect(failedView(ops).text.length).toBeLessThanOrEqual(4096);
    const many = Array.from({ length: 500 }, (_, i) => String(100_000 + i));
    const text = retryView({ requeued: many.map((id) => ({ id, node: 'nl-1' })), refused: many });
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toContain('and 480 more on nl-1');
  });

  it('says on which node each requeued operation runs', () => {
    const text = retryView({
      requeued: [
        { id: '5', node: 'de-1' },
        { id: '6', node: 'nl-1' },
        { id: '7', node: 'de-1' },
      ],
      refused: ['8'],
    });
    expect(text).toBe(
      '🔁 Requeued: #5, #7 on de-1; #6 on nl-1.\nNot requeued (not failed, or superseded by a newer operation): #8.',
    );
  });
});
