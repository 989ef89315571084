import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shippedCatalog } from './catalog';
import { LocaleOverrideError, loadCatalog } from './locale-overrides';
import { installCatalog, t, ta } from './translate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'locales-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  installCatalog(shippedCatalog());
});

const write = (file: string, content: unknown) =>
  writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));

function problemsOf(): string[] {
  try {
    loadCatalog(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(LocaleOverrideError);
    expect((err as Error).message).toContain(dir);
    return (err as LocaleOverrideError).problems;
  }
  throw new Error('expected a LocaleOverrideError');
}

describe('locale overrides (LOCALES_DIR)', () => {
  it('replaces only the keys a file names, nested or dotted, and keeps every other shipped text', () => {
    write('en.json', {
      menu: { intro: 'Acme VPN — fast and private.' },
      'help.text': 'Ask {{support}}, 24/7.',
    });
    write('admin.json', { userNotFound: 'Nobody called {{ref}}.' });
    installCatalog(loadCatalog(dir));
    expect(t('en', 'menu.intro')).toBe('Acme VPN — fast and private.');
    expect(t('en', 'help.text', { support: '@acme' })).toBe('Ask @acme, 24/7.');
    expect(t('en', 'menu.noSub')).toBe('⚪️ No active subscription');
    expect(t('ru', 'menu.intro')).toBe('Быстрый и приватный VPN прямо в Telegram.');
    expect(ta('userNotFound', { ref: '42' })).toBe('Nobody called 42.');
  });

  it('refuses an unknown key, naming the file and the key', () => {
    write('ru.json', { menu: { intor: 'Опечатка' } });
    expect(problemsOf()).toEqual(['ru.json: menu.intor: unknown key (not in the shipped ru.json)']);
  });

  it('refuses a plural form the language does not have', () => {
    write('en.json', { 'plan.days_few': '{{count}} days' });
    expect(problemsOf()).toEqual(['en.json: plan.days_few: unknown key (not in the shipped en.json)']);
  });

  it('refuses a text that lost a placeholder', () => {
    write('fa.json', { menu: { balance: '💰 موجودی' } });
    expect(problemsOf()).toEqual(['fa.json: menu.balance: missing placeholder {{balance}}']);
  });

  it('refuses a placeholder the text never gets, and a value turned raw (unescaped)', () => {
    write('en.json', {
      'menu.balance': 'Balance {{balance}} {{user}}',
      'help.text': 'Support: {{- support}}',
    });
    expect(problemsOf()).toEqual([
      'en.json: menu.balance: unknown placeholder {{user}}',
      'en.json: help.text: missing placeholder {{support}}',
      'en.json: help.text: unknown placeholder {{- support}}',
    ]);
  });

  it('refuses a file that is not valid JSON, naming the file', () => {
    write('en.json', '{ "menu": { "intro": "x", } }');
    const [problem, ...rest] = problemsOf();
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^en\.json: not valid JSON: /);
  });

  it('refuses a value that is not a text, and a file for a language that is not shipped', () => {
    write('en.json', { menu: { intro: 5, noSub: ['a'] } });
    write('de.json', { menu: { intro: 'Hallo' } });
    expect(problemsOf()).toEqual([
      'de.json: unknown locale file (expected one of en.json, ru.json, fa.json, admin.json)',
      'en.json: menu.intro: must be a text (a JSON string)',
      'en.json: menu.noSub: must be a text (a JSON string)',
    ]);
  });

  it('applies nothing when any file is wrong', () => {
    write('admin.json', { userNotFound: 'Nobody called {{ref}}.' });
    write('en.json', { menu: { intro: 'Acme', nope: 'x' } });
    expect(() => installCatalog(loadCatalog(dir))).toThrow(LocaleOverrideError);
    expect(ta('userNotFound', { ref: '1' })).toBe('No user 1.');
    expect(t('en', 'menu.intro')).toBe('Fast and private VPN right here in Telegram.');
  });

  it('names a directory it cannot read', () => {
    expect(() => loadCatalog(join(dir, 'missing'))).toThrow(
      /LOCALES_DIR .*missing.*cannot read the directory/s,
    );
  });
});
