import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Clock } from '../../src/clock/clock';
import { RemindersService } from '../../src/subscriptions/reminders.service';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service';
import { startCoreApp, type CoreApp } from '../support/factories';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
let core: CoreApp;
let replica: CoreApp;

beforeAll(async () => {
  core = await startCoreApp({ imports: [SubscriptionsModule] });
  replica = await startCoreApp({ imports: [SubscriptionsModule], database: core.db });
});
afterAll(async () => {
  await replica?.close();
  await core?.close();
});

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });
const remindersOf = (userId: number) =>
  core.ds.query<{ kind: string; dedupe_key: string; payload: { hoursLeft: number } }[]>(
    `SELECT kind, dedupe_key, payload FROM notifications WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** Both replicas run the reminders job several times at once. */
async function runEverywhere(times = 3) {
  for (let i = 0; i < times; i++)
    await Promise.all([core.get(RemindersService).run(ctx()), replica.get(RemindersService).run(ctx())]);
}

describe('reminders', () => {
  it('sends exactly one reminder per kind and period over repeated runs on two replicas', async () => {
    const threeDays = await core.factory.subscription({ expiresAt: new Date(Date.now() + 2.5 * DAY_MS) });
    const oneDay = await core.factory.subscription({ expiresAt: new Date(Date.now() + 20 * HOUR_MS) });
    const trial24 = await core.factory.subscription({
      isTrial: true,
      planCode: null,
      expiresAt: new Date(Date.now() + 20 * HOUR_MS),
    });
    const trial1 = await core.factory.subscription({
      isTrial: true,
      planCode: null,
      expiresAt: new Date(Date.now() + 30 * 60_000),
    });
    const far = await core.factory.subscription({ expiresAt: new Date(Date.now() + 10 * DAY_MS) });
    await runEverywhere();

    expect(await remindersOf(threeDays.userId)).toEqual([
      {
        kind: 'expiring_soon',
        dedupe_key: `reminder:${threeDays.id}:expiring_3d:${epoch(threeDays.expiresAt)}`,
        payload: expect.objectContaining({ hoursLeft: 60 }),
      },
    ]);
    expect(await remindersOf(oneDay.userId)).toEqual([
      {
        kind: 'expiring_soon',
        dedupe_key: `reminder:${oneDay.id}:expiring_1d:${epoch(oneDay.expiresAt)}`,
        payload: expect.objectContaining({ hoursLeft: 20 }),
      },
    ]);
    expect((await remindersOf(trial24.userId)).map((r) => [r.kind, r.dedupe_key.split(':')[2]])).toEqual([
      ['trial_ending', 'trial_24h'],
    ]);
    expect((await remindersOf(trial1.userId)).map((r) => [r.kind, r.dedupe_key.split(':')[2]])).toEqual([
      ['trial_ending', 'trial_1h'],
    ]);
    expect(await remindersOf(far.userId)).toEqual([]);
  });

  it('sends the next reminder when time moves on, across restarts (state is only in the database)', async () => {
    const s = await core.factory.subscription({ expiresAt: new Date(Date.now() + 2.5 * DAY_MS) });
    await core.get(RemindersService).run(ctx());
    const spy = vi.spyOn(replica.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 2 * DAY_MS));
    try {
      await replica.get(RemindersService).run(ctx());
      await replica.get(RemindersService).run(ctx());
    } finally {
      spy.mockRestore();
    }
    expect((await remindersOf(s.userId)).map((r) => r.dedupe_key.split(':')[2])).toEqual([
      'expiring_3d',
      'expiring_1d',
    ]);
  });

  it('sends none for a renewed subscription, and fresh ones in its next period', async () => {
    const s = await core.factory.subscription({ expiresAt: new Date(Date.now() + 2.5 * DAY_MS) });
    await runEverywhere(1);
    expect(await remindersOf(s.userId)).toHaveLength(1);
    const { subscription: renewed } = await core
      .get(SubscriptionsService)
      .grantByAdmin({ userId: s.userId, days: 30 });
    // The unsent reminder of the old period is withdrawn, and nothing new is due.
    expect(
      (await core.ds.query(`SELECT state FROM notifications WHERE user_id = $1`, [s.userId]))[0].state,
    ).toBe('cancelled');
    await runEverywhere();
    expect(await remindersOf(s.userId)).toHaveLength(1);

    const spy = vi
      .spyOn(core.get(Clock), 'now')
      .mockReturnValue(new Date(renewed.expiresAt.getTime() - 2 * DAY_MS));
    try {
      await core.get(RemindersService).run(ctx());
    } finally {
      spy.mockRestore();
    }
    const keys = (await remindersOf(s.userId)).map((r) => r.dedupe_key);
    expect(keys).toEqual([
      `reminder:${s.id}:expiring_3d:${epoch(s.expiresAt)}`,
      `reminder:${s.id}:expiring_3d:${epoch(renewed.expiresAt)}`,
    ]);
  });

  it('sends nothing for expired subscriptions', async () => {
    const s = await core.factory.subscription({
      status: 'expired',
      expiresAt: new Date(Date.now() + HOUR_MS),
    });
    await runEverywhere(1);
    expect(await remindersOf(s.userId)).toEqual([]);
  });
});
