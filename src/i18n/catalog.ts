import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS, type Lang } from './langs';

export type Tree = { [key: string]: string | Tree };

/** The bot's texts per language and the admin texts (English only). */
export interface Catalog {
  bot: Record<Lang, Tree>;
  admin: Tree;
}

/** Shipped next to this file (nest-cli.json copies `i18n/locales` into dist). */
export const LOCALES_DIR = join(__dirname, 'locales');

export const ADMIN_FILE = 'admin.json';

export function shippedCatalog(): Catalog {
  const read = (file: string) => JSON.parse(readFileSync(join(LOCALES_DIR, file), 'utf8')) as Tree;
  const bot = {} as Record<Lang, Tree>;
  for (const lang of LANGS) bot[lang] = read(`${lang}.json`);
  return { bot, admin: read(ADMIN_FILE) };
}

/** `{a: {b: 'x'}}` → `{'a.b': 'x'}`; a value that is neither text nor an object is reported by `onBad`. */
export function flatten(
  tree: unknown,
  onBad: (key: string) => void = () => undefined,
  prefix = '',
): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    onBad(prefix || '(root)');
    return out;
  }
  for (const [k, v] of Object.entries(tree as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v))
      for (const [kk, vv] of flatten(v, onBad, key)) out.set(kk, vv);
    else onBad(key);
  }
  return out;
}

/** Writes `value` at the dotted `key` (overrides are validated against the shipped keys first). */
export function setKey(tree: Tree, key: string, value: string): void {
  const parts = key.split('.');
  let node = tree;
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Tree;
  node[parts.at(-1)!] = value;
}

/** A raw `{{- name}}` sorts as `-name`, so making an escaped value raw counts as a change. */
export function placeholders(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(/\{\{\s*(-?)\s*([^,}\s]+)[^}]*\}\}/g)) names.add(`${m[1]}${m[2]}`);
  return [...names].sort();
}

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** `plan.days_few` → `plan.days`; keys without a plural suffix are their own base. */
export const pluralBase = (key: string): string => key.replace(PLURAL_SUFFIX, '');
export const pluralCategory = (key: string): string | undefined => PLURAL_SUFFIX.exec(key)?.[1];
