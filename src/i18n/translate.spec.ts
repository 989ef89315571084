import { afterEach, describe, expect, it } from 'vitest';
import { setKey, shippedCatalog } from './catalog';
import { dateTime, minutesLeft, money } from './format';
import { toLang } from './langs';
import { installCatalog, t, ta } from './translate';

afterEach(() => installCatalog(shippedCatalog()));

describe('translate', () => {
  it('escapes values in HTML texts and leaves admin (plain) texts as typed', () => {
    expect(t('en', 'menu.welcomeNamed', { name: '<b>Tom & "Jerry"</b>' })).toBe(
      '👋 Welcome, &lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;!',
    );
    expect(ta('userNotFound', { ref: '<@x&y>' })).toBe('No user <@x&y>.');
  });

  it('inserts a trusted value unescaped only where the template says {{- name}}', () => {
    const catalog = shippedCatalog();
    setKey(catalog.bot.en, 'common.code', '<code>{{- value}}</code>');
    installCatalog(catalog);
    expect(t('en', 'common.code', { value: '<i>x</i>' })).toBe('<code><i>x</i></code>');
  });

  it('never interpolates a value a second time (a user name cannot pull in other texts)', () => {
    expect(t('en', 'menu.helloNamed', { name: '{{name}} $t(menu.intro)' })).toBe(
      '👋 Hello, {{name}} $t(menu.intro)!',
    );
  });

  it('picks plural forms by the language rules', () => {
    expect([1, 2, 5, 21].map((n) => t('ru', 'plan.months', { count: n }))).toEqual([
      '1 месяц',
      '2 месяца',
      '5 месяцев',
      '21 месяц',
    ]);
    expect([1, 3].map((n) => t('en', 'plan.years', { count: n }))).toEqual(['1 year', '3 years']);
    expect(t('fa', 'plan.months', { count: 3 })).toBe('۳ ماه');
  });

  it('formats money, dates and minutes for each language, Persian with Persian digits', () => {
    expect(money(19_900, 'RUB', 'ru')).toBe('199\u00a0₽');
    expect(money(150, 'XTR', 'en')).toBe('150 ⭐');
    expect(money(150, 'XTR', 'fa')).toBe('۱۵۰ ⭐');
    expect(money(24_950, 'USD', 'fa')).toMatch(/۲۴۹٫۵/);
    expect(minutesLeft(90_000, 'ru')).toBe('2 мин.');
    expect(minutesLeft(90_000, 'fa')).toBe('۲ دقیقه');
    expect(dateTime(new Date('2026-03-05T10:07:00Z'), 'en')).toBe('5 March 2026 at 10:07 UTC');
    expect(dateTime(new Date('2026-03-05T10:07:00Z'), 'fa')).toMatch(/^[^0-9]*۱۰:۰۷.* UTC$/);
  });

  it('maps Telegram language codes to a shipped language, English otherwise', () => {
    expect(['fa', 'fa-IR', 'ru-RU', 'RU', 'en-US', 'de', '', null].map(toLang)).toEqual([
      'fa',
      'fa',
      'ru',
      'ru',
      'en',
      'en',
      'en',
      'en',
    ]);
  });
});
