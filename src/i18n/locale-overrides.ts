import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_FILE,
  flatten,
  placeholders,
  setKey,
  shippedCatalog,
  type Catalog,
  type Tree,
} from './catalog';
import { LANGS, type Lang } from './langs';

/** Every problem found in LOCALES_DIR, one per line, each naming the file and the key. */
export class LocaleOverrideError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(
      `LOCALES_DIR ${dir}: ${problems.length} problem(s) in locale overrides:\n  ${problems.join('\n  ')}`,
    );
    this.name = 'LocaleOverrideError';
  }
}

/** All-or-nothing: a bad key or lost placeholder must stop the start, not show users a raw key. */
export function loadCatalog(dir?: string): Catalog {
  const catalog = shippedCatalog();
  if (!dir) return catalog;
  const problems: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => !f.startsWith('.'));
  } catch (err) {
    throw new LocaleOverrideError(dir, [`cannot read the directory: ${(err as Error).message}`]);
  }
  const known = [...LANGS.map((l) => `${l}.json`), ADMIN_FILE];
  for (const file of files.sort()) {
    if (!known.includes(file)) {
      problems.push(`${file}: unknown locale file (expected one of ${known.join(', ')})`);
      continue;
    }
    const target = file === ADMIN_FILE ? catalog.admin : catalog.bot[file.slice(0, -5) as Lang];
    problems.push(...applyFile(join(dir, file), file, target));
  }
  if (problems.length) throw new LocaleOverrideError(dir, problems);
  return catalog;
}

function applyFile(path: string, file: string, target: Tree): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return [`${file}: not valid JSON: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const overrides = flatten(parsed, (key) =>
    problems.push(`${file}: ${key}: must be a text (a JSON string)`),
  );
  const shipped = flatten(target);
  const valid: [string, string][] = [];
  for (const [key, value] of overrides) {
    const original = shipped.get(key);
    if (original === undefined) {
      problems.push(`${file}: ${key}: unknown key (not in the shipped ${file})`);
      continue;
    }
    const want = placeholders(original);
    const got = placeholders(value);
    const missing = want.filter((p) => !got.includes(p));
    const extra = got.filter((p) => !want.includes(p));
    if (missing.length) problems.push(`${file}: ${key}: missing placeholder ${missing.map(show).join(', ')}`);
    if (extra.length) problems.push(`${file}: ${key}: unknown placeholder ${extra.map(show).join(', ')}`);
    if (!missing.length && !extra.length) valid.push([key, value]);
  }
  if (!problems.length) for (const [key, value] of valid) setKey(target, key, value);
  return problems;
}

const show = (p: string) => (p.startsWith('-') ? `{{- ${p.slice(1)}}}` : `{{${p}}}`);
