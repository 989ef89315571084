import { Inject, Injectable } from '@nestjs/common';
import { DEMO_KEPT_CALLS, DEMO_USERS, DemoServices, type DemoUser } from './demo-services';
import { uploadedFile, type FakeUser, type SentCall } from './fake-telegram';
import { keepNewestKeys } from './recent-window';

export interface ChatButton {
  text: string;
  callbackData?: string;
  url?: string;
  cryptoInvoiceId?: number;
}

export interface ChatEvent {
  seq: number;
  kind: 'message' | 'edit' | 'delete' | 'toast';
  messageId?: number;
  text?: string;
  html?: boolean;
  buttons?: ChatButton[][];
  photoUrl?: string;
  invoice?: { title: string; description: string; stars: number };
}

export interface DemoSender {
  userId: number;
  lang?: string;
  firstName?: string;
}

const WAIT_MS = 10_000;

@Injectable()
export class DemoChatService {
  private readonly callbackChats = new Map<string, number>();

  constructor(@Inject(DemoServices) private readonly services: DemoServices) {}

  get users(): readonly DemoUser[] {
    return DEMO_USERS;
  }

  /** `seq` numbers every call the fake has seen; only its recent window is still there to read. */
  events(userId: number, after: number): { next: number; events: ChatEvent[] } {
    const { sent, sentBase } = this.services.telegram;
    const events: ChatEvent[] = [];
    for (let seq = Math.max(sentBase, after); seq < sentBase + sent.length; seq++) {
      const e = this.toEvent(sent[seq - sentBase], seq, userId);
      if (e) events.push(e);
    }
    return { next: sentBase + sent.length, events };
  }

  photo(seq: number): Buffer | undefined {
    const tg = this.services.telegram;
    const call = seq >= tg.sentBase ? tg.sent[seq - tg.sentBase] : undefined;
    return call?.method === 'sendPhoto' ? uploadedFile(call.params.photo) : undefined;
  }

  message(from: DemoSender, text: string): void {
    this.services.telegram.userMessage(this.user(from), text);
  }

  press(from: DemoSender, data: string, messageId: number): void {
    const update = this.services.telegram.pressButton(this.user(from), data, messageId);
    this.callbackChats.set(`cb${update}`, from.userId);
    keepNewestKeys(this.callbackChats, DEMO_KEPT_CALLS);
  }

  async payStars(from: DemoSender, messageId: number): Promise<{ ok: boolean; error?: string }> {
    const tg = this.services.telegram;
    const call = tg.sentTo(from.userId, 'sendInvoice').find((c) => c.messageId === messageId);
    if (!call) return { ok: false, error: 'no such invoice in this chat' };
    const payload = String(call.params.payload);
    const total = parseJson<{ amount: number }[]>(call.params.prices).reduce((a, p) => a + p.amount, 0);
    const user = this.user(from);
    const id = `pcq${tg.preCheckout(user, { payload, totalAmount: total })}`;
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const answer = tg.sent.find(
        (c) => c.method === 'answerPreCheckoutQuery' && c.params.pre_checkout_query_id === id,
      );
      if (answer) {
        if (!isTrue(answer.params.ok)) return { ok: false, error: String(answer.params.error_message ?? '') };
        break;
      }
      if (Date.now() > deadline) return { ok: false, error: 'the bot did not answer the checkout in time' };
      await new Promise((r) => setTimeout(r, 100));
    }
    tg.successfulPayment(user, { payload, totalAmount: total, chargeId: `demo-${Date.now()}` });
    return { ok: true };
  }

  async payCrypto(invoiceId: number, webhookUrl: string): Promise<{ ok: boolean; status?: number }> {
    const pay = this.services.cryptoPay;
    if (!pay.invoices.has(invoiceId)) return { ok: false };
    pay.markPaid(invoiceId);
    const [delivery] = await pay.deliverWebhook(webhookUrl, invoiceId);
    return { ok: delivery?.status === 200, status: delivery?.status };
  }

  private user(from: DemoSender): FakeUser {
    const known = DEMO_USERS.find((u) => u.id === from.userId);
    return {
      id: from.userId,
      firstName: from.firstName || known?.firstName || 'User',
      username: known?.username,
      languageCode: from.lang === 'ru' ? 'ru' : 'en',
    };
  }

  private toEvent(call: SentCall, seq: number, userId: number): ChatEvent | undefined {
    const p = call.params;
    if (call.method === 'answerCallbackQuery') {
      const chat = this.callbackChats.get(String(p.callback_query_id));
      return chat === userId && p.text ? { seq, kind: 'toast', text: String(p.text) } : undefined;
    }
    if (Number(p.chat_id) !== userId) return undefined;
    const html = p.parse_mode === 'HTML';
    const buttons = this.buttons(p.reply_markup);
    switch (call.method) {
      case 'sendMessage':
        return { seq, kind: 'message', messageId: call.messageId, text: String(p.text), html, buttons };
      case 'sendPhoto':
        return {
          seq,
          kind: 'message',
          messageId: call.messageId,
          text: p.caption === undefined ? '' : String(p.caption),
          html,
          buttons,
          photoUrl: `/demo/api/photo/${seq}`,
        };
      case 'sendInvoice': {
        const prices = parseJson<{ amount: number }[]>(p.prices);
        return {
          seq,
          kind: 'message',
          messageId: call.messageId,
          buttons,
          invoice: {
            title: String(p.title),
            description: String(p.description),
            stars: prices.reduce((a, x) => a + x.amount, 0),
          },
        };
      }
      case 'editMessageText':
      case 'editMessageCaption': {
        const text = String(call.method === 'editMessageText' ? p.text : (p.caption ?? ''));
        return { seq, kind: 'edit', messageId: Number(p.message_id), text, html, buttons: buttons ?? [] };
      }
      case 'editMessageReplyMarkup':
        return { seq, kind: 'edit', messageId: Number(p.message_id), buttons: buttons ?? [] };
      case 'deleteMessage':
        return { seq, kind: 'delete', messageId: Number(p.message_id) };
      default:
        return undefined;
    }
  }

  private buttons(markup: unknown): ChatButton[][] | undefined {
    if (markup === undefined) return undefined;
    const m = parseJson<{
      inline_keyboard?: { text: string; callback_data?: string; url?: string }[][];
      keyboard?: ({ text: string } | string)[][];
    }>(markup);
    if (m.inline_keyboard)
      return m.inline_keyboard.map((row) =>
        row.map((b) => ({
          text: b.text,
          callbackData: b.callback_data,
          url: b.url,
          cryptoInvoiceId: b.url ? this.cryptoInvoiceFor(b.url) : undefined,
        })),
      );
    // A reply keyboard's button sends its text: the page sends it as a message.
    if (m.keyboard)
      return m.keyboard.map((row) => row.map((b) => ({ text: typeof b === 'string' ? b : b.text })));
    return [];
  }

  cryptoInvoiceFor(url: string): number | undefined {
    for (const inv of this.services.cryptoPay.invoices.values()) {
      const urls = [inv.bot_invoice_url, inv.mini_app_invoice_url, inv.web_app_invoice_url, inv.pay_url];
      if (urls.includes(url)) return inv.invoice_id;
    }
    return undefined;
  }
}

function parseJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}
