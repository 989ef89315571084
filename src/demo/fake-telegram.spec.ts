import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from './fake-telegram';

const TOKEN = '123:fake';
let tg: FakeTelegram | undefined;
afterEach(async () => {
  await tg?.stop();
  tg = undefined;
});

async function call(method: string, body: Record<string, unknown>): Promise<void> {
  await fetch(`${tg!.apiRoot}/bot${TOKEN}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('FakeTelegram', () => {
  it('keeps at most keepCalls calls, requests and updates, dropping the oldest and counting them', async () => {
    tg = await new FakeTelegram({ token: TOKEN, keepCalls: 3 }).start();
    for (let i = 0; i < 5; i++) await call('sendMessage', { chat_id: 1, text: `m${i}` });
    const updates = Array.from({ length: 5 }, (_, i) => tg!.userMessage({ id: 1 }, `u${i}`));

    expect(tg.sent.map((c) => c.params.text)).toEqual(['m2', 'm3', 'm4']);
    expect(tg.sentBase).toBe(2);
    expect(tg.requests).toHaveLength(3);
    expect(tg.answered).toHaveLength(3);
    tg.duplicateWebhookDeliveries(1);
    await expect(tg.redeliver(updates[1])).rejects.toThrow(/never queued/);
  });

  it('keeps every call when no limit is given, as tests read the whole record', async () => {
    tg = await new FakeTelegram({ token: TOKEN }).start();
    for (let i = 0; i < 5; i++) await call('sendMessage', { chat_id: 1, text: `m${i}` });
    expect(tg.sent).toHaveLength(5);
    expect(tg.sentBase).toBe(0);
  });
});
