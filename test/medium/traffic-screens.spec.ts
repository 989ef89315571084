import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness, lastText } from './telegram-ux-harness';

const GB = 1024 ** 3;
const ADMIN = 930_001;
let bot: BotHarness;

beforeAll(async () => {
  bot = await BotHarness.start({
    env: {
      ADMIN_IDS: String(ADMIN),
      PLANS: JSON.stringify([
        { code: '1m', days: 30, prices: { RUB: 19_900 } },
        { code: 'lim', days: 30, prices: { RUB: 9_900 }, trafficGb: 10 },
      ]),
    },
  });
});
afterAll(async () => {
  await bot?.stop();
});

/** What the user's core says it carried for them; the traffic job reads it like any node's counters. */
function carried(email: string, up: number, down: number): void {
  bot.core.counters.set(`user>>>${email}>>>traffic>>>uplink`, up);
  bot.core.counters.set(`user>>>${email}>>>traffic>>>downlink`, down);
}

describe('traffic on the screens', () => {
  it('shows the traffic used and the plan’s limit on "My subscription", in English and Russian', async () => {
    const en = bot.newUser();
    const ru = bot.newUser({ languageCode: 'ru' });
    for (const u of [en, ru]) await bot.factory.user({ id: u.id, languageCode: u.languageCode });
    const subEn = await bot.factory.subscription({ userId: en.id, planCode: 'lim' });
    const subRu = await bot.factory.subscription({ userId: ru.id, planCode: '1m' });
    carried(subEn.vpnEmail, 0.5 * GB, 3 * GB);
    carried(subRu.vpnEmail, 0.25 * GB, 1 * GB);
    expect(await bot.runJob('traffic')).toBe('ok');

    expect(lastText(await bot.tap(en, 'sub'))).toContain('Traffic this period: 3.5 GB / 10 GB');
    expect(lastText(await bot.tap(ru, 'sub'))).toContain('Трафик за период: 1,3 ГБ / без ограничений');
  });

  it('says the key is paused once the limit is reached, and lists the heaviest users for admins', async () => {
    const user = bot.newUser();
    await bot.factory.user({ id: user.id });
    const sub = await bot.factory.subscription({ userId: user.id, planCode: 'lim' });
    carried(sub.vpnEmail, 1 * GB, 10 * GB);
    expect(await bot.runJob('traffic')).toBe('ok');

    const screen = lastText(await bot.tap(user, 'sub'));
    expect(screen).toContain('Traffic this period: 11 GB / 10 GB');
    expect(screen).toContain('⛔ Traffic limit reached: the key is paused until you renew.');

    const admin = { ...bot.newUser(), id: ADMIN };
    const top = lastText(await bot.say(admin, '/top 2'));
    expect(top).toMatch(
      new RegExp(`^📶 Top traffic this period:\\n1\\. ${user.id} — 11 GB / 10 GB ⛔ over limit\\n2\\. `),
    );
    expect(lastText(await bot.say(admin, '/top many'))).toMatch(/^Usage: \/top \[count\]/);
  });
});
