import { describe, expect, it } from 'vitest';
import { clip, DESCRIPTION_MAX, starsInvoice, TITLE_MAX } from './stars-invoice';

const payload = '6f1c1b1e-0000-4000-8000-000000000001';

describe('Stars invoice rules', () => {
  it('uses XTR, an empty provider token and exactly one price in whole Stars', () => {
    const inv = starsInvoice({ title: 'VPN for 30 days', description: 'Access', payload, stars: 150 });
    expect(inv).toEqual({
      title: 'VPN for 30 days',
      description: 'Access',
      payload,
      provider_token: '',
      currency: 'XTR',
      prices: [{ label: 'VPN for 30 days', amount: 150 }],
    });
  });

  it('shortens a long title to 32 and a long description to 255 characters', () => {
    const inv = starsInvoice({ title: 'T'.repeat(40), description: 'D'.repeat(300), payload, stars: 1 });
    expect([...inv.title]).toHaveLength(TITLE_MAX);
    expect([...inv.description]).toHaveLength(DESCRIPTION_MAX);
    expect(inv.title.endsWith('…')).toBe(true);
  });

  it('never cuts an emoji in half and never leaves a field empty', () => {
    expect(clip('🔒'.repeat(40), 32)).toBe(`${'🔒'.repeat(31)}…`);
    expect(clip('   ', 32)).toBe('…');
  });

  it('refuses fractional or non-positive Stars and a payload over 128 bytes', () => {
    for (const stars of [0, -5, 1.5])
      expect(() => starsInvoice({ title: 't', description: 'd', payload, stars })).toThrow();
    expect(() => starsInvoice({ title: 't', description: 'd', payload: 'x'.repeat(129), stars: 1 })).toThrow(
      /128/,
    );
  });
});
