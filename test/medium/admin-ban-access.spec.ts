import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/demo/fake-telegram';
import { BotHarness, lastText } from './telegram-ux-harness';

let bot: BotHarness;
const ADMIN_ID = 492_000_001;
const admin: FakeUser = { id: ADMIN_ID, firstName: 'Boss', languageCode: 'en' };

beforeAll(async () => {
  bot = await BotHarness.start({ listen: true, env: { ADMIN_IDS: String(ADMIN_ID) } });
  await bot.say(admin, '/start');
});
afterAll(async () => {
  await bot?.stop();
});

interface Sub {
  id: string;
  sub_token: string;
  vpn_email: string;
  vpn_uuid: string;
  expires_at: Date;
}
const subOf = async (userId: number) =>
  (await bot.query<Sub>('SELECT * FROM subscriptions WHERE user_id = $1', [userId]))[0];
const onCore = (email: string) => [...bot.core.users.values()].some((u) => u.email === email);
async function feedLinks(token: string): Promise<string[]> {
  const res = await fetch(`${bot.url}/sub/${token}`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return Buffer.from(await res.text(), 'base64')
    .toString()
    .split('\n')
    .filter(Boolean);
}

/** A user with a provisioned trial, auto-renew on a plan due within the window, and the balance for it. */
async function payingCustomer(): Promise<{ user: FakeUser; sub: Sub }> {
  const user = bot.newUser();
  await bot.say(user, '/start');
  await bot.say(user, '/trial');
  const [plan] = await bot.query<{ code: string }>(
    'SELECT code FROM plans WHERE enabled ORDER BY code LIMIT 1',
  );
  await bot.query(
    `UPDATE subscriptions SET plan_code = $2, auto_renew = true, expires_at = now() + interval '1 hour'
      WHERE user_id = $1`,
    [user.id, plan.code],
  );
  await bot.query('UPDATE users SET balance_minor = 1000000 WHERE id = $1', [user.id]);
  await bot.runJob('vpn-provisioning');
  const sub = await subOf(user.id);
  expect(onCore(sub.vpn_email)).toBe(true);
  return { user, sub };
}

describe('admin ban', () => {
  it('revokes access: key off the core, empty feed, no auto-renew charge, reconciliation keeps it off', async () => {
    const { user, sub } = await payingCustomer();
    expect(lastText(await bot.say(admin, `/block ${user.id}`))).toContain(`User ${user.id} is blocked`);
    await bot.runJob('vpn-provisioning');
    expect(onCore(sub.vpn_email)).toBe(false);
    expect(await feedLinks(sub.sub_token)).toEqual([]);

    await bot.runJob('auto-renewal');
    const [u] = await bot.query<{ balance_minor: string }>('SELECT balance_minor FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(Number(u.balance_minor)).toBe(1000000);
    expect(await bot.query('SELECT 1 FROM purchases WHERE user_id = $1', [user.id])).toEqual([]);

    await bot.runJob('vpn-reconcile');
    expect(onCore(sub.vpn_email)).toBe(false);
    expect((await subOf(user.id)).expires_at).toEqual(sub.expires_at);
  });

  it('restores the same key with the time left when the user is unblocked', async () => {
    const { user, sub } = await payingCustomer();
    await bot.say(admin, `/block ${user.id}`);
    await bot.runJob('vpn-provisioning');
    expect(onCore(sub.vpn_email)).toBe(false);

    expect(lastText(await bot.say(admin, `/unblock ${user.id}`))).toContain(`User ${user.id} is unblocked`);
    await bot.runJob('vpn-provisioning');
    expect(onCore(sub.vpn_email)).toBe(true);
    const after = await subOf(user.id);
    expect(after.vpn_uuid).toBe(sub.vpn_uuid);
    expect(after.expires_at).toEqual(sub.expires_at);
    expect(await feedLinks(sub.sub_token)).toEqual([expect.stringContaining(sub.vpn_uuid)]);
  });

  it('keeps a banned user off the core when an admin grants them days', async () => {
    const { user, sub } = await payingCustomer();
    await bot.say(admin, `/block ${user.id}`);
    await bot.query(`UPDATE subscriptions SET status = 'expired' WHERE id = $1`, [sub.id]);
    await bot.runJob('vpn-provisioning');
    await bot.say(admin, `/grant ${user.id} 5`);
    await bot.runJob('vpn-provisioning');
    await bot.runJob('vpn-reconcile');
    expect(onCore(sub.vpn_email)).toBe(false);
  });
});
