import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journey } from '../support/journey';
import { v2rayAvailable } from '../support/v2ray-core';

const withCore = v2rayAvailable();

describe.each(['polling', 'webhook'] as const)('user journeys (%s mode)', (mode) => {
  let j: Journey;

  beforeAll(async () => {
    j = await Journey.start({ mode, core: withCore });
  }, 120_000);
  afterAll(async () => {
    await j?.stop();
  });

  it('answers /start and registers the user', async () => {
    const u = j.user(7001, { username: 'alice' });
    u.send('/start');
    await u.next((c) => c.method === 'sendMessage');
    const rows = await j.sql<{ username: string }>('SELECT username FROM users WHERE id = $1', [u.id]);
    expect(rows).toEqual([{ username: 'alice' }]);
  });
});
