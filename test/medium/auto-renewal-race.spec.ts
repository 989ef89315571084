import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoRenewalService } from '../../src/payments/auto-renewal.service';
import { BalanceService } from '../../src/payments/balance.service';
import { PaymentsModule } from '../../src/payments/payments.module';
import { ExpiryService } from '../../src/subscriptions/expiry.service';
import { startCoreApp, type CoreApp } from '../support/factories';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const PRICE_1M = 19_900;
let core: CoreApp;
let autoRenewal: AutoRenewalService;
let expiry: ExpiryService;

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });

beforeAll(async () => {
  core = await startCoreApp({
    imports: [PaymentsModule],
    env: { AUTO_RENEW_WINDOW_HOURS: '24', AUTO_RENEW_GRACE_HOURS: '6' },
  });
  autoRenewal = core.get(AutoRenewalService);
  expiry = core.get(ExpiryService);
});
afterAll(async () => {
  await core?.close();
});

const subOf = async (id: string) =>
  (await core.ds.query('SELECT status, expires_at, vpn_uuid FROM subscriptions WHERE id = $1', [id]))[0];
const debits = async (userId: number) =>
  (
    await core.ds.query(
      `SELECT count(*)::int AS n FROM balance_ledger WHERE user_id = $1 AND delta_minor < 0`,
      [userId],
    )
  )[0].n as number;

describe('auto-renewal', () => {
  it('renews inside the window from the balance, keeping the UUID, and leaves later ones alone', async () => {
    const due = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 30_000,
      expiresAt: new Date(Date.now() + 12 * HOUR_MS),
    });
    const later = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 30_000,
      expiresAt: new Date(Date.now() + 3 * DAY_MS),
    });
    const summary = await autoRenewal.run(ctx());
    expect(summary.renewed).toBeGreaterThanOrEqual(1);
    const renewed = await subOf(due.id);
    expect(renewed.vpn_uuid).toBe(due.vpnUuid);
    expect(renewed.expires_at.getTime()).toBe(due.expiresAt.getTime() + 30 * DAY_MS);
    expect(await core.get(BalanceService).getBalance(due.userId)).toBe(30_000 - PRICE_1M);
    expect((await subOf(later.id)).expires_at.getTime()).toBe(later.expiresAt.getTime());
    const [ledger] = await core.ds.query(
      `SELECT reason, reference FROM balance_ledger WHERE user_id = $1 AND delta_minor < 0`,
      [due.userId],
    );
    expect(ledger).toEqual({
      reason: 'auto_renew',
      reference: `${due.id}:${Math.floor(due.expiresAt.getTime() / 1000)}`,
    });
    const notes = await core.ds.query(`SELECT kind, payload FROM notifications WHERE user_id = $1`, [
      due.userId,
    ]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: 'subscription_renewed', payload: { autoRenew: true } });
    // Running again right away changes nothing: the new expiry is outside the window.
    await autoRenewal.run(ctx());
    expect(await debits(due.userId)).toBe(1);
  });

  it('renews, does not expire, and debits once when auto-renewal and the expiry sweep race', async () => {
    const subs = await Promise.all(
      Array.from({ length: 15 }, () =>
        core.factory.subscription({
          autoRenew: true,
          balanceMinor: PRICE_1M,
          expiresAt: new Date(Date.now() - 60_000),
        }),
      ),
    );
    await Promise.all([
      ...subs.map((s) => autoRenewal.renew(s.userId)),
      expiry.expireBatch(),
      autoRenewal.run(ctx()),
      expiry.expireBatch(),
      ...subs.map((s) => autoRenewal.renew(s.userId)),
    ]);
    for (const s of subs) {
      const now = await subOf(s.id);
      expect(now.status).toBe('active');
      expect(now.expires_at.getTime()).toBeGreaterThan(Date.now() + 29 * DAY_MS);
      expect(await debits(s.userId)).toBe(1);
      expect(await core.get(BalanceService).getBalance(s.userId)).toBe(0);
    }
    const [{ revokes, expired }] = await core.ds.query(
      `SELECT (SELECT count(*)::int FROM vpn_operations WHERE kind = 'revoke' AND subscription_id = ANY($1)) AS revokes,
              (SELECT count(*)::int FROM notifications WHERE kind = 'subscription_expired' AND user_id = ANY($2)) AS expired`,
      [subs.map((s) => s.id), subs.map((s) => s.userId)],
    );
    expect({ revokes, expired }).toEqual({ revokes: 0, expired: 0 });
  });

  it('tells a user without enough balance once per period, then renews after a top-up', async () => {
    const s = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 500,
      expiresAt: new Date(Date.now() + 6 * HOUR_MS),
    });
    for (let i = 0; i < 3; i++) await autoRenewal.run(ctx());
    await Promise.all([autoRenewal.renew(s.userId), autoRenewal.renew(s.userId)]);
    const failures = await core.ds.query(
      `SELECT dedupe_key, state FROM notifications WHERE user_id = $1 AND kind = 'renewal_failed_insufficient_funds'`,
      [s.userId],
    );
    expect(failures).toEqual([
      { dedupe_key: `renewal_failed:${s.id}:${Math.floor(s.expiresAt.getTime() / 1000)}`, state: 'pending' },
    ]);
    expect(await debits(s.userId)).toBe(0);

    await core
      .get(BalanceService)
      .adminAdjust({ userId: s.userId, deltaMinor: PRICE_1M, reference: `topup-${s.id}` });
    await autoRenewal.run(ctx());
    expect((await subOf(s.id)).expires_at.getTime()).toBe(s.expiresAt.getTime() + 30 * DAY_MS);
    // The failure notice was not sent yet and is no longer true: it is cancelled.
    const [{ state }] = await core.ds.query(
      `SELECT state FROM notifications WHERE user_id = $1 AND kind = 'renewal_failed_insufficient_funds'`,
      [s.userId],
    );
    expect(state).toBe('cancelled');
  });

  it('lets the sweep expire an auto-renew subscription the balance cannot cover', async () => {
    const s = await core.factory.subscription({
      autoRenew: true,
      balanceMinor: 100,
      expiresAt: new Date(Date.now() - 60_000),
    });
    await Promise.all([autoRenewal.run(ctx()), expiry.expireBatch()]);
    await expiry.expireBatch();
    expect((await subOf(s.id)).status).toBe('expired');
    expect(await debits(s.userId)).toBe(0);
  });
});
