import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { entities } from './entities';

const root = resolve(__dirname, '../..');

/** One owner per table: a second writer is a coupling nobody sees in the imports. */
const owners: Record<string, string[]> = {
  users: ['src/users/'],
  plans: ['src/subscriptions/'],
  subscriptions: ['src/subscriptions/'],
  subscription_grants: ['src/subscriptions/'],
  purchases: ['src/payments/'],
  balance_ledger: ['src/payments/'],
  referral_rewards: ['src/payments/'],
  processed_provider_events: ['src/payments/'],
  vpn_nodes: ['src/vpn/'],
  vpn_operations: ['src/vpn/'],
  subscription_devices: ['src/vpn/devices/'],
  notifications: ['src/notifications/'],
  telegram_updates: ['src/telegram/transport/'],
  job_leases: ['src/jobs/'],
  broadcasts: ['src/admin/'],
  promo_codes: ['src/promo/'],
  promo_redemptions: ['src/promo/'],
  gifts: ['src/payments/'],
  traffic_node_usage: ['src/traffic/'],
  traffic_periods: ['src/traffic/'],
};

/** Single files allowed to write a table they do not own, until they stop; each entry must still be needed. */
const exceptions: Record<string, string[]> = {};

const tableOf = new Map(
  getMetadataArgsStorage()
    .tables.filter((t) => entities.includes(t.target as (typeof entities)[number]))
    .map((t) => [(t.target as { name: string }).name, t.name!]),
);

const SQL_WRITE = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+([a-z_][a-z0-9_]*)\b/g;
const ORM_WRITE =
  /(?:\.(?:save|insert|update|upsert|delete|softDelete|remove|increment|decrement)|getRepository|createQueryBuilder)\(\s*([A-Z]\w*Entity)\b/g;

function tablesWritten(text: string): string[] {
  const sql = [...text.matchAll(SQL_WRITE)].map((m) => m[1]).filter((t) => t in owners);
  const orm = [...text.matchAll(ORM_WRITE)].map((m) => tableOf.get(m[1]) ?? m[1]);
  return [...new Set([...sql, ...orm])];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = resolve(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
      ? [relative(root, path).split('\\').join('/')]
      : [];
  });
}

const writes = sourceFiles(resolve(root, 'src')).map((file) => ({
  file,
  tables: tablesWritten(readFileSync(resolve(root, file), 'utf8')),
}));

describe('table owners', () => {
  it('names an owner for every table of the schema, and only for those', () => {
    expect(Object.keys(owners).sort()).toEqual([...tableOf.values()].sort());
  });

  it('names owner folders that exist', () => {
    const folders = [...new Set(Object.values(owners).flat())];
    expect(folders.filter((f) => !existsSync(resolve(root, f)))).toEqual([]);
  });

  it('finds SQL writes in template strings, multi-line statements and TypeORM calls', () => {
    const text = [
      'await q(`WITH x AS (\n  INSERT INTO\n broadcasts (text) SELECT 1\n) SELECT 1`);',
      "em.query('UPDATE users u SET is_banned = true');",
      'em.query(`DELETE\n FROM telegram_updates WHERE true`);',
      'em.save(PurchaseEntity, row);',
      '`ON CONFLICT (id) DO UPDATE SET x = 1 ... FOR UPDATE SKIP LOCKED`',
    ].join('\n');
    expect(tablesWritten(text).sort()).toEqual(['broadcasts', 'purchases', 'telegram_updates', 'users']);
  });

  it('lets only the owning folder write each table', () => {
    const foreign = writes.flatMap(({ file, tables }) =>
      tables
        .filter((t) => !(owners[t] ?? []).some((folder) => file.startsWith(folder)))
        .filter((t) => !(exceptions[file] ?? []).includes(t))
        .map((t) => `${file} writes ${t}, owned by ${(owners[t] ?? ['nobody']).join(', ')}`),
    );
    expect(foreign).toEqual([]);
  });

  it('keeps no exception that is not needed any more', () => {
    const stale = Object.entries(exceptions).flatMap(([file, tables]) => {
      const actual = writes.find((w) => w.file === file)?.tables ?? [];
      return tables
        .filter((t) => !actual.includes(t))
        .map((t) => `${file} no longer writes ${t}: drop the entry`);
    });
    expect(stale).toEqual([]);
  });
});
