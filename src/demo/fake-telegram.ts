import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeChats, type FakeChannel } from './fake-telegram-chats';
import { answerFault, FaultPlan, type Fault } from './fake-telegram-faults';
import { ok, readParams, reply } from './fake-telegram-http';
import { FakeLongPoll } from './fake-telegram-polling';
import { FakeSendRules } from './fake-telegram-sends';
import {
  buttonPress,
  preCheckoutQuery,
  starTransaction,
  successfulPaymentMessage,
  textMessage,
  type FakeUser,
  type StarPayment,
} from './fake-telegram-updates';
import { FakeWebhook, type WebhookConfig } from './fake-telegram-webhook';
import { keepNewest, keepNewestKeys } from './recent-window';

export type { Fault } from './fake-telegram-faults';
export { uploadedFile } from './fake-telegram-http';
export type { FakeUser } from './fake-telegram-updates';

export interface SentCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  messageId?: number;
}

export interface Answered {
  method: string;
  status: number;
  chatId?: string;
  at: number;
}

export interface FakeTelegramOptions {
  token: string;
  limits?: { perChatPerSecond: number; globalPerSecond: number };
  rejectUnmodifiedEdits?: boolean;
  firstUpdateId?: number;
  /** Channels getChat / getChatMember know from the start (more through `chats`). */
  channels?: FakeChannel[];
  /** Bounded for long-running demos; unbounded by default because tests read the whole record. */
  keepCalls?: number;
}

export class FakeTelegram {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private readonly poll = new FakeLongPoll();
  private readonly hook = new FakeWebhook(() => this.poll.pending);
  private readonly faults = new FaultPlan();
  private readonly history = new Map<number, Record<string, unknown>>();
  readonly sent: SentCall[] = [];
  readonly answered: Answered[] = [];
  readonly requests: { method: string; at: number }[] = [];
  readonly starTransactions: Record<string, unknown>[] = [];
  private droppedCalls = 0;
  private readonly rules: FakeSendRules;

  readonly chats = new FakeChats();

  constructor(private readonly opts: FakeTelegramOptions) {
    for (const c of opts.channels ?? []) this.chats.addChannel(c);
    this.rules = new FakeSendRules(opts);
    this.nextUpdateId = opts.firstUpdateId ?? 1000;
  }

  get apiRoot(): string {
    const addr = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  /** Calls dropped before `sent[0]`: the absolute number of `sent[i]` is `sentBase + i`. */
  get sentBase(): number {
    return this.droppedCalls;
  }

  get confirmedOffset(): number {
    return this.poll.confirmedOffset;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.poll.stop();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  fault(method: string, fault: Fault, times = 1): void {
    this.faults.add(method, fault, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Waiting exactly retry_after lands after the storm; retrying sooner meets another 429. */
  floodStorm(methods: string[] | '*', durationMs: number): void {
    this.faults.storm(methods, durationMs);
  }

  get floodUntil(): number | undefined {
    return this.faults.floodUntil;
  }

  /** Telegram re-sends an update whose answer it missed; with max_connections > 1 copies overlap. */
  duplicateWebhookDeliveries(copies: number): void {
    this.hook.copies = Math.max(1, copies);
  }

  async redeliver(updateId: number, copies = 1): Promise<number[]> {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`update ${updateId} was never queued`);
    if (!this.hook.config) throw new Error('no webhook is registered');
    return Promise.all(Array.from({ length: copies }, () => this.hook.post(update)));
  }

  userMessage(user: FakeUser, text: string): number {
    const chat = { id: user.id, type: 'private', first_name: user.firstName ?? 'User' };
    return this.push(textMessage(this.nextMessageId++, user, chat, text));
  }

  pressButton(user: FakeUser, data: string, messageId = 1): number {
    const chat = { id: user.id, type: 'private' };
    return this.push(buttonPress(`cb${this.nextUpdateId}`, user, chat, data, messageId));
  }

  groupMessage(
    user: FakeUser,
    chatId: number,
    text: string,
    type: 'group' | 'supergroup' = 'supergroup',
  ): number {
    const chat = { id: chatId, type, title: 'Some group' };
    return this.push(textMessage(this.nextMessageId++, user, chat, text));
  }

  pressGroupButton(user: FakeUser, chatId: number, data: string, messageId = 1): number {
    const chat = { id: chatId, type: 'supergroup' };
    return this.push(buttonPress(`cb${this.nextUpdateId}`, user, chat, data, messageId));
  }

  preCheckout(user: FakeUser, q: { payload: string; totalAmount: number; currency?: string }): number {
    return this.push(preCheckoutQuery(`pcq${this.nextUpdateId}`, user, q));
  }

  /** Telegram took the Stars; no update is delivered (a lost successful_payment). */
  starPayment(user: FakeUser, p: StarPayment): void {
    this.starTransactions.push(starTransaction(user, p));
  }

  successfulPayment(user: FakeUser, p: StarPayment): number {
    this.starPayment(user, p);
    return this.push(successfulPaymentMessage(this.nextMessageId++, user, p));
  }

  push(update: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    const full = { update_id, ...update };
    this.poll.pending.push(full);
    this.history.set(update_id, full);
    keepNewestKeys(this.history, this.opts.keepCalls);
    if (this.hook.config) void this.hook.deliverPending();
    else this.poll.wake();
    return update_id;
  }

  get webhookConfig(): WebhookConfig | undefined {
    return this.hook.config;
  }

  get pendingCount(): number {
    return this.poll.pending.length;
  }

  sentTo(chatId: number, method?: string): SentCall[] {
    return this.sent.filter((c) => Number(c.params.chat_id) === chatId && (!method || c.method === method));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec((req.url ?? '').split('?')[0]);
    const params = await readParams(req);
    if (!m) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m;
    this.requests.push({ method, at: Date.now() });
    keepNewest(this.requests, this.opts.keepCalls);
    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id as string | number);
    res.on('finish', () => {
      this.answered.push({ method, status: res.statusCode, chatId, at: Date.now() });
      keepNewest(this.answered, this.opts.keepCalls);
    });
    if (token !== this.opts.token)
      return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const fault = this.faults.next(method);
    if (fault) {
      if (fault.kind === 'hang') return; // accept, never answer
      if (fault.kind === 'drop') return void req.socket.destroy();
      if (fault.kind === 'malformed')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":tru');
      if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault.kind === 'status') return answerFault(res, fault);
    }
    switch (method) {
      case 'getMe':
        return ok(res, {
          id: Number(token.split(':')[0]),
          is_bot: true,
          first_name: 'Fake',
          username: 'fake_vpn_bot',
        });
      case 'getUpdates':
        if (this.hook.config)
          return answerFault(res, {
            kind: 'status',
            code: 409,
            description:
              "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          });
        return this.poll.getUpdates(params, res);
      case 'setWebhook':
        this.hook.config = { url: String(params.url), secret: params.secret_token as string | undefined };
        this.poll.endWaiter(409, 'Conflict: terminated by setWebhook');
        void this.hook.deliverPending();
        return ok(res, true);
      case 'deleteWebhook':
        this.hook.config = undefined;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true')
          this.poll.pending = [];
        return ok(res, true);
      case 'getStarTransactions': {
        const offset = Number(params.offset ?? 0);
        const limit = Number(params.limit ?? 100);
        return ok(res, { transactions: this.starTransactions.slice(offset, offset + limit) });
      }
      case 'getChat':
      case 'getChatMember': {
        const a = this.chats.answer(method, params, Number(token.split(':')[0]));
        return a.ok
          ? ok(res, a.result)
          : answerFault(res, { kind: 'status', code: 400, description: a.description });
      }
      case 'getWebhookInfo':
        return ok(res, {
          url: this.hook.config?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.poll.pending.length,
        });
      default:
        return this.record(method, params, res);
    }
  }

  private record(method: string, params: Record<string, unknown>, res: ServerResponse): void {
    const retry = this.rules.retryAfter(method, params);
    if (retry) return answerFault(res, { kind: 'status', code: 429, retryAfter: retry });
    const call: SentCall = { method, params, at: Date.now() };
    this.sent.push(call);
    this.droppedCalls += keepNewest(this.sent, this.opts.keepCalls);
    const refused = this.rules.refusal(method, params, this.sent);
    if (refused) return reply(res, 400, { ok: false, error_code: 400, description: refused });
    if (/^send/.test(method)) {
      call.messageId = this.nextMessageId++;
      return ok(res, {
        message_id: call.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(params.chat_id), type: 'private' },
      });
    }
    return ok(res, true);
  }
}
