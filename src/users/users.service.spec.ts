import { describe, expect, it } from 'vitest';
import { isTelegramId, normaliseLanguage } from './users.service';

describe('user input rules', () => {
  it('keeps the primary language subtag and falls back to English for nonsense', () => {
    expect(normaliseLanguage('ru')).toBe('ru');
    expect(normaliseLanguage('pt-BR')).toBe('pt');
    expect(normaliseLanguage('EN_us')).toBe('en');
    expect(normaliseLanguage('')).toBe('en');
    expect(normaliseLanguage(null)).toBe('en');
    expect(normaliseLanguage('12')).toBe('en');
  });

  it('accepts only positive whole Telegram ids', () => {
    expect(isTelegramId(1)).toBe(true);
    expect(isTelegramId(7_000_000_000)).toBe(true);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, '5', null])
      expect(isTelegramId(bad)).toBe(false);
  });
});
