import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupeKeys, dedupeKeySql } from '../../src/notifications/notification-kinds';
import { createTestDataSource, type TestDatabase } from '../support/database';

let ds: DataSource;
let db: TestDatabase;

beforeAll(async () => {
  ({ ds, db } = await createTestDataSource());
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

// Batch paths build keys in SQL, single notices in TypeScript: a notice written one way must be found (and
// deduplicated) the other way, so both spellings have to produce the same text.
describe('dedupe keys', () => {
  const subscriptionId = '9007199254740';
  const expiresAt = new Date('2031-05-06T07:08:09.987Z');

  it('spells every period key the same in SQL as in TypeScript', async () => {
    const [row] = await ds.query(
      `SELECT ${dedupeKeySql.expired('$1::bigint', '$2::timestamptz')} AS expired,
              ${dedupeKeySql.reminder('$1::bigint', '$3::text', '$2::timestamptz')} AS reminder,
              ${dedupeKeySql.renewalFailed('$1::bigint', '$2::timestamptz')} AS renewal_failed`,
      [subscriptionId, expiresAt, 'expiring_3d'],
    );
    expect(row).toEqual({
      expired: dedupeKeys.expired(subscriptionId, expiresAt),
      reminder: dedupeKeys.reminder(subscriptionId, 'expiring_3d', expiresAt),
      renewal_failed: dedupeKeys.renewalFailed(subscriptionId, expiresAt),
    });
    expect(row.expired).toBe(`expired:${subscriptionId}:${Math.floor(expiresAt.getTime() / 1000)}`);
  });
});
