import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
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

describe('schema', () => {
  it('matches the entities exactly (no drift between migrations and code)', async () => {
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('refuses a negative balance', async () => {
    await ds.query(`INSERT INTO users (id) VALUES (1)`);
    await expect(ds.query(`UPDATE users SET balance_minor = -1 WHERE id = 1`)).rejects.toThrow(
      /users_balance_non_negative/,
    );
  });

  it('refuses self-referral', async () => {
    await ds.query(`INSERT INTO users (id) VALUES (2)`);
    await expect(ds.query(`UPDATE users SET referrer_id = 2 WHERE id = 2`)).rejects.toThrow(
      /users_no_self_referral/,
    );
  });

  it('refuses the same ledger reference twice', async () => {
    await ds.query(`INSERT INTO users (id) VALUES (3)`);
    const insert = `INSERT INTO balance_ledger (user_id, delta_minor, balance_after, reason, reference)
                    VALUES (3, 100, 100, 'topup', 'purchase-1')`;
    await ds.query(insert);
    await expect(ds.query(insert)).rejects.toThrow(/balance_ledger_reference_uq/);
  });

  it('refuses an unknown purchase state and a zero amount', async () => {
    await ds.query(`INSERT INTO users (id) VALUES (4)`);
    await expect(
      ds.query(`INSERT INTO purchases (user_id, kind, amount_minor, currency, provider, status)
                VALUES (4, 'topup', 100, 'RUB', 'crypto_pay', 'maybe')`),
    ).rejects.toThrow(/purchases_status_valid/);
    await expect(
      ds.query(`INSERT INTO purchases (user_id, kind, amount_minor, currency, provider)
                VALUES (4, 'topup', 0, 'RUB', 'crypto_pay')`),
    ).rejects.toThrow(/purchases_amount_positive/);
  });

  it('refuses two subscriptions with one VPN UUID', async () => {
    await ds.query(`INSERT INTO users (id) VALUES (5), (6)`);
    const uuid = '6f1c1d2e-0000-4000-8000-000000000001';
    const insert = (user: number) =>
      ds.query(
        `INSERT INTO subscriptions (user_id, vpn_uuid, vpn_email, sub_token, expires_at, last_grant_source)
         VALUES ($1, $2, $3, $4, now(), 'trial')`,
        [user, uuid, `u${user}@vpn`, `tok${user}`],
      );
    await insert(5);
    await expect(insert(6)).rejects.toThrow(/subscriptions_vpn_uuid_uq/);
  });
});
