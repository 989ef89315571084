import { describe, expect, it } from 'vitest';
import { flatten, placeholders, pluralBase, pluralCategory, shippedCatalog } from './catalog';
import { INTL_LOCALE, LANGS } from './langs';

const catalog = shippedCatalog();
const flat = Object.fromEntries(LANGS.map((l) => [l, flatten(catalog.bot[l])]));

/** base key → plural categories present (empty set for a key without plural forms). */
function bases(keys: Iterable<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const k of keys) {
    const set = out.get(pluralBase(k)) ?? new Set<string>();
    const cat = pluralCategory(k);
    if (cat) set.add(cat);
    out.set(pluralBase(k), set);
  }
  return out;
}

describe('shipped locales', () => {
  it('have every English key in every language, and no key English lacks', () => {
    const en = [...bases(flat.en.keys()).keys()].sort();
    for (const lang of LANGS) expect([...bases(flat[lang].keys()).keys()].sort(), lang).toEqual(en);
  });

  it('use the same placeholders as English in every key of every language', () => {
    for (const lang of LANGS)
      for (const [key, text] of flat[lang]) {
        const english = flat.en.get(key) ?? flat.en.get(`${pluralBase(key)}_other`)!;
        expect(placeholders(text), `${lang} ${key}`).toEqual(placeholders(english));
      }
  });

  it('give each plural key exactly the forms Intl.PluralRules of the language uses', () => {
    for (const lang of LANGS) {
      const needed = new Intl.PluralRules(INTL_LOCALE[lang]).resolvedOptions().pluralCategories;
      for (const [key, cats] of bases(flat[lang].keys()))
        if (cats.size) expect([...cats].sort(), `${lang} ${key}`).toEqual([...needed].sort());
    }
  });

  it('hold only non-empty texts, and the admin texts too', () => {
    for (const lang of LANGS)
      for (const [key, text] of flat[lang]) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    const admin = flatten(catalog.admin);
    expect(admin.size).toBeGreaterThan(50);
    for (const [key, text] of admin) expect(text.trim(), key).not.toBe('');
  });
});

describe('placeholders', () => {
  it('names plain, formatted and raw placeholders, a raw one distinct from an escaped one', () => {
    expect(placeholders('{{a}} {{ count, number }} {{- html}} {{a}}')).toEqual(['-html', 'a', 'count']);
  });
});

describe('keys used in code', () => {
  it('exist in the shipped locales (every literal key passed to t, ta or texts)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(__dirname, '..');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
    );
    const bot = new Set([...flat.en.keys()].map(pluralBase));
    const admin = new Set(flatten(catalog.admin).keys());
    const missing: string[] = [];
    let seen = 0;
    for (const f of files) {
      const src = readFileSync(join(root, f), 'utf8');
      for (const m of src.matchAll(/\b(?:t\([^,()]+,\s*|texts\()'([\w.]+)'/g)) {
        seen++;
        if (!bot.has(m[1])) missing.push(`${f}: ${m[1]}`);
      }
      for (const m of src.matchAll(/\bta\('([\w.]+)'/g)) {
        seen++;
        if (!admin.has(m[1])) missing.push(`${f}: admin ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(150);
    expect(missing).toEqual([]);
  });
});
