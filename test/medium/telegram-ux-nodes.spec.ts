import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness, callbackData, lastText } from './telegram-ux-harness';

let bot: BotHarness;
beforeAll(async () => {
  bot = await BotHarness.start({
    env: {
      // Both nodes talk to the harness's fake core; each has its own public host.
      VPN_NODES: JSON.stringify([
        { code: 'nl-1', name: 'Amsterdam', country: 'nl' },
        { code: 'de-1', name: 'Frankfurt', country: 'de', host: 'de.example.test' },
      ]),
    },
  });
});
afterAll(async () => {
  await bot?.stop();
});

const uuidOf = async (userId: number) =>
  (
    await bot.query<{ vpn_uuid: string }>('SELECT vpn_uuid FROM subscriptions WHERE user_id = $1', [userId])
  )[0].vpn_uuid;

describe('keys on several VPN nodes in Telegram', () => {
  it('offers a node picker for the QR code and sends one QR per chosen node', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    const uuid = await uuidOf(user.id);

    const sub = lastText(await bot.tap(user, 'sub'));
    expect(sub).toContain('🇳🇱 Amsterdam:');
    expect(sub).toContain(`<code>vless://${uuid}@vpn.example.test:443`);
    expect(sub).toContain('🇩🇪 Frankfurt:');
    expect(sub).toContain(`<code>vless://${uuid}@de.example.test:443`);

    const picker = await bot.tap(user, 'sub:qr');
    expect(picker.some((c) => c.method === 'sendPhoto')).toBe(false);
    expect(lastText(picker)).toMatch(/Which server/);
    expect(callbackData(picker)).toEqual(['sub:qr:nl-1', 'sub:qr:de-1', 'sub']);

    const photo = (await bot.tap(user, 'sub:qr:de-1')).find((c) => c.method === 'sendPhoto');
    expect(String(photo?.params.caption)).toMatch(/^🇩🇪 Frankfurt\r?\n📷 Scan this QR code/);
    expect((photo?.params.photo as { bytes: number }).bytes).toBeGreaterThan(500);
  });

  it('announces the key with one link per node, each under its name, and the subscription URL', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    await bot.runJob('vpn-provisioning');
    await bot.runJob('notifications-delivery');
    const uuid = await uuidOf(user.id);
    const key = bot.telegram
      .sentTo(user.id, 'sendMessage')
      .map((c) => String(c.params.text))
      .filter((t) => /key is ready/.test(t));
    expect(key).toHaveLength(1);
    expect(key[0]).toContain(`🇳🇱 Amsterdam\n<code>vless://${uuid}@vpn.example.test:443`);
    expect(key[0]).toContain(`🇩🇪 Frankfurt\n<code>vless://${uuid}@de.example.test:443`);
    expect(key[0]).toMatch(/https:\/\/sub\.example\.test\/sub\/\S+/);
  });

  it('shows the picker again, and sends nothing, for a node the user may not use', async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    const calls = await bot.tap(user, 'sub:qr:xx-9');
    expect(calls.some((c) => c.method === 'sendPhoto')).toBe(false);
    expect(callbackData(calls)).toEqual(['sub:qr:nl-1', 'sub:qr:de-1', 'sub']);
  });

  it("shows every node's new link after a reissue", async () => {
    const user = bot.newUser();
    await bot.say(user, '/start');
    await bot.tap(user, 'trial');
    const done = lastText(await bot.tap(user, 'sub:re:ok'));
    const uuid = await uuidOf(user.id);
    expect(done).toContain(`🇳🇱 Amsterdam:\n<code>vless://${uuid}@vpn.example.test:443`);
    expect(done).toContain(`🇩🇪 Frankfurt:\n<code>vless://${uuid}@de.example.test:443`);
  });
});
