import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CB } from '../../src/telegram/bot/views/callback-data';
import { BOT_TOKEN, Journey, WEBHOOK_SECRET } from '../support/journey';
import { v2rayAvailable } from '../support/v2ray-core';

const withCore = v2rayAvailable();
const CLIENT_IP = '203.0.113.77';

/**
 * A whole journey (webhook mode, trial, key provisioned on the real core, subscription feed refreshed) with
 * request logging at debug: afterwards no line of the process's output carries a subscription token, a VLESS
 * UUID, a shared secret or a client address.
 */
describe.runIf(withCore)('log hygiene over a whole journey', () => {
  let j: Journey;

  beforeAll(async () => {
    j = await Journey.start({ mode: 'webhook', core: true, env: { LOG_LEVEL: 'debug', LOG_FORMAT: 'json' } });
  }, 120_000);
  afterAll(async () => {
    await j?.stop();
  });

  it('writes no subscription token, VLESS UUID, secret or client IP to the logs', async () => {
    const u = j.user(73_001);
    u.send('/start');
    await u.next((c) => c.method === 'sendMessage');
    u.press(CB.trial);
    await u.nextText(/key is ready/i);
    u.press(CB.sub);
    await u.nextText(/vless:\/\//);
    const [sub] = await j.sql<{ sub_token: string; vpn_uuid: string }>(
      'SELECT sub_token, vpn_uuid FROM subscriptions WHERE user_id = $1',
      [u.id],
    );
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${j.baseUrl}/sub/${sub.sub_token}`, {
        headers: { 'x-forwarded-for': CLIENT_IP },
      });
      expect(res.status).toBe(200);
    }
    expect((await fetch(`${j.baseUrl}/sub/${sub.sub_token}x`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 500)); // the async log destination flushes

    const out = j.app.output();
    expect(out).toMatch(/\/sub\/\*\*\*/); // the feed requests were logged, masked
    for (const [what, value] of [
      ['subscription token', sub.sub_token],
      ['VLESS UUID', sub.vpn_uuid],
      ['VLESS UUID without dashes', sub.vpn_uuid.replace(/-/g, '')],
      ['webhook secret', WEBHOOK_SECRET],
      ['bot token', BOT_TOKEN.split(':')[1]],
      ['Crypto Pay token', j.pay.token],
      ['client IP', CLIENT_IP],
    ] as const) {
      const line = out.split('\n').find((l) => l.includes(value));
      expect(line?.slice(0, 600), what).toBeUndefined();
    }
    expect(out).not.toMatch(/"remoteAddress"/);
  });
});
