import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, secretKeys } from './config.schema';

const root = resolve(__dirname, '../..');
const variables = Object.keys(configSchema.shape);

// The configuration table and .env.example are the operator interface: they must match what the app reads.
describe('configuration documentation', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const example = readFileSync(resolve(root, '.env.example'), 'utf8');
  const tableRows = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((m) => m[1]));
  const exampleKeys = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

  it('lists every variable of the schema in the README configuration table', () => {
    expect(variables.filter((v) => !tableRows.has(v))).toEqual([]);
  });

  it('documents no variable in the README table that the schema does not read', () => {
    expect([...tableRows].filter((v) => !variables.includes(v))).toEqual([]);
  });

  it('has every variable of the schema in .env.example and nothing else', () => {
    expect(variables.filter((v) => !exampleKeys.has(v))).toEqual([]);
    expect([...exampleKeys].filter((v) => !variables.includes(v))).toEqual([]);
  });

  it('marks every secret as a secret in the README table', () => {
    for (const key of secretKeys) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\``));
      expect(row, key).toMatch(/secret/);
    }
  });
});
