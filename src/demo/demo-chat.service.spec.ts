import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BOT_TOKEN } from '../config/app-config';
import { DemoChatService } from './demo-chat.service';
import { DEMO_KEPT_CALLS, DemoServices } from './demo-services';

let services: DemoServices;
let chat: DemoChatService;
beforeAll(async () => {
  services = await DemoServices.start();
  chat = new DemoChatService(services);
});
afterAll(async () => {
  await services?.stop();
});

async function bot(
  method: string,
  body: Record<string, unknown> | FormData,
): Promise<{ message_id: number }> {
  const form = body instanceof FormData;
  const res = await fetch(`${services.telegram.apiRoot}/bot${DEMO_BOT_TOKEN}/${method}`, {
    method: 'POST',
    headers: form ? {} : { 'content-type': 'application/json' },
    body: form ? body : JSON.stringify(body),
  });
  return ((await res.json()) as { result: { message_id: number } }).result;
}

describe('DemoChatService', () => {
  it("turns the bot's messages, edits and photos into the chat's events, for that chat only", async () => {
    const start = chat.events(2001, 0).next;
    const sent = await bot('sendMessage', {
      chat_id: 2001,
      text: '<b>Hi</b>',
      parse_mode: 'HTML',
      reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] },
    });
    await bot('sendMessage', { chat_id: 2002, text: 'someone else' });
    await bot('editMessageText', { chat_id: 2001, message_id: sent.message_id, text: 'Edited' });
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(600, 7)]);
    const form = new FormData();
    form.set('chat_id', '2001');
    form.set('caption', 'QR');
    form.set('photo', new Blob([png], { type: 'image/png' }), 'qr.png');
    await bot('sendPhoto', form);

    const { events } = chat.events(2001, start);
    expect(events.map((e) => e.kind)).toEqual(['message', 'edit', 'message']);
    expect(events[0]).toMatchObject({
      messageId: sent.message_id,
      text: '<b>Hi</b>',
      html: true,
      buttons: [[{ text: 'Go', callbackData: 'go' }]],
    });
    expect(events[1]).toMatchObject({ messageId: sent.message_id, text: 'Edited', html: false });
    const photoSeq = Number(/\/(\d+)$/.exec(events[2].photoUrl!)![1]);
    expect(chat.photo(photoSeq)?.equals(png)).toBe(true);
    expect(chat.events(2001, chat.events(2001, 0).next).events).toEqual([]);
  });

  it('offers to pay a Crypto Pay invoice of the stand-in behind a url button', async () => {
    const res = await fetch(`${services.cryptoPay.apiRoot}/createInvoice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'crypto-pay-api-token': services.cryptoPay.token },
      body: JSON.stringify({ currency_type: 'fiat', fiat: 'RUB', amount: '199' }),
    });
    const inv = ((await res.json()) as { result: { invoice_id: number; bot_invoice_url: string } }).result;
    const start = chat.events(2003, 0).next;
    await bot('sendMessage', {
      chat_id: 2003,
      text: 'Pay',
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'Pay', url: inv.bot_invoice_url },
            { text: 'Docs', url: 'https://example.org' },
          ],
        ],
      },
    });
    const [event] = chat.events(2003, start).events;
    expect(event.buttons?.[0]).toEqual([
      { text: 'Pay', url: inv.bot_invoice_url, cryptoInvoiceId: inv.invoice_id },
      { text: 'Docs', url: 'https://example.org', cryptoInvoiceId: undefined },
    ]);
  });

  it('keeps only the newest calls however long the demo runs, and goes on numbering the chat after them', async () => {
    const tg = services.telegram;
    const start = chat.events(2004, 0).next;
    for (let i = 0; i < DEMO_KEPT_CALLS + 50; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => bot('sendMessage', { chat_id: 2004, text: `n${i + j}` })),
      );
    const last = await bot('sendMessage', { chat_id: 2004, text: 'latest' });

    expect(tg.sent.length).toBe(DEMO_KEPT_CALLS);
    expect(tg.answered.length).toBeLessThanOrEqual(DEMO_KEPT_CALLS);
    expect(tg.requests.length).toBe(DEMO_KEPT_CALLS);
    const { next, events } = chat.events(2004, start);
    expect(next).toBe(start + DEMO_KEPT_CALLS + 51);
    expect(events).toHaveLength(DEMO_KEPT_CALLS);
    expect(events[0].seq).toBe(next - DEMO_KEPT_CALLS);
    expect(events.at(-1)).toMatchObject({ seq: next - 1, messageId: last.message_id, text: 'latest' });
    expect(chat.events(2004, next).events).toEqual([]);
  });
});
