import { describe, expect, it } from 'vitest';
import { feedLang } from './feed-texts';

describe('feed page language from Accept-Language', () => {
  it.each([
    ['ru-RU,ru;q=0.9,en-US;q=0.8', 'ru'],
    ['en-US,en;q=0.9,ru;q=0.8', 'en'],
    ['de-DE,de;q=0.9,ru;q=0.7,en;q=0.5', 'ru'],
    ['en;q=0.4,ru;q=0.8', 'ru'],
    ['ru;q=0', 'en'],
    ['fr', 'en'],
    ['fa-IR,fa;q=0.9,en;q=0.8', 'fa'],
    ['fr,fa;q=0.5,ru;q=0.4', 'fa'],
    ['farsi', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    [';;;,,q=abc', 'en'],
  ])('%s → %s', (header, lang) => {
    expect(feedLang(header)).toBe(lang);
  });
});
