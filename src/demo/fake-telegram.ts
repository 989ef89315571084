import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeChats, type FakeChannel } from './fake-telegram-chats';

/** What the bot sent, as the fake recorded it. */
export interface SentCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** The message_id the fake answered a send* call with. */
  messageId?: number;
}

export type Fault =
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | {
      kind: 'status';
      code: 400 | 401 | 403 | 409 | 429 | 500 | 502;
      retryAfter?: number;
      description?: string;
    };

interface Waiter {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

/** How the fake answered one request (every request, faults included; hangs and drops never finish). */
export interface Answered {
  method: string;
  status: number;
  chatId?: string;
  at: number;
}

export interface FakeTelegramOptions {
  token: string;
  /** Enforce Telegram-like send limits (429 with retry_after): per chat per second and global per second. */
  limits?: { perChatPerSecond: number; globalPerSecond: number };
  /** Refuse an edit that changes nothing with Telegram's 400 "message is not modified". */
  rejectUnmodifiedEdits?: boolean;
  /** Channels getChat / getChatMember know from the start (more through `chats`). */
  channels?: FakeChannel[];
}

/**
 * A fake Telegram Bot API on 127.0.0.1 that speaks the real HTTP contract: `/bot<token>/<method>` with JSON
 * or form bodies, the `{ok, result}` / `{ok:false, error_code, description, parameters}` envelope, long
 * polling with offsets (a second concurrent getUpdates ends the first with 409), webhooks with the secret
 * header and retries, and faults on demand. Owned by the project for tests and local sandboxes.
 */
export class FakeTelegram {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private pending: Record<string, unknown>[] = [];
  private waiter?: Waiter;
  private readonly faults = new Map<string, Fault[]>();
  private webhook?: { url: string; secret?: string };
  private deliveries = 0;
  private webhookCopies = 1;
  private flood?: { until: number; methods: Set<string> };
  private readonly history = new Map<number, Record<string, unknown>>();
  readonly sent: SentCall[] = [];
  /** Every answered request with its HTTP status, in order: shows which sends met a 429 and when. */
  readonly answered: Answered[] = [];
  readonly requests: { method: string; at: number }[] = [];
  /** Highest offset the bot confirmed through getUpdates. */
  confirmedOffset = 0;
  private readonly sendTimes = new Map<string, number[]>();
  private readonly editedContent = new Map<string, string>();

  readonly chats = new FakeChats();

  constructor(private readonly opts: FakeTelegramOptions) {
    for (const c of opts.channels ?? []) this.chats.addChannel(c);
  }

  get apiRoot(): string {
    const addr = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
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
    if (this.waiter) clearTimeout(this.waiter.timer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Next calls of `method` (or '*') fail this way, `times` times (default once). */
  fault(method: string, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(method, list);
  }

  clearFaults(): void {
    this.faults.clear();
    this.flood = undefined;
  }

  /**
   * A flood-control storm: for `durationMs`, every call of `methods` ('*' for all) is answered 429 with the
   * retry_after Telegram would give (the whole seconds left in the storm, at least 1). A client that waits
   * exactly retry_after lands after the storm; one that retries sooner meets another 429.
   */
  floodStorm(methods: string[] | '*', durationMs: number): void {
    this.flood = { until: Date.now() + durationMs, methods: new Set(methods === '*' ? ['*'] : methods) };
  }

  /** When the current storm ends (ms since the epoch), or undefined when there is none. */
  get floodUntil(): number | undefined {
    return this.flood?.until;
  }

  /**
   * Webhook deliveries are sent `copies` times at once (Telegram re-sends an update whose answer it did not
   * see in time, and with max_connections > 1 copies can overlap). Default 1.
   */
  duplicateWebhookDeliveries(copies: number): void {
    this.webhookCopies = Math.max(1, copies);
  }

  /**
   * Delivers an update the bot has already received once more, `copies` times concurrently, to the registered
   * webhook with its secret. Returns the HTTP status of each delivery.
   */
  async redeliver(updateId: number, copies = 1): Promise<number[]> {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`update ${updateId} was never queued`);
    if (!this.webhook) throw new Error('no webhook is registered');
    return Promise.all(Array.from({ length: copies }, () => this.post(update)));
  }

  // ---- injecting what users do --------------------------------------------------------------------

  userMessage(user: FakeUser, text: string): number {
    return this.push({
      message: {
        message_id: this.nextMessageId++,
        from: userObj(user),
        chat: { id: user.id, type: 'private', first_name: user.firstName ?? 'User' },
        date: Math.floor(Date.now() / 1000),
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] }
          : {}),
      },
    });
  }

  pressButton(user: FakeUser, data: string, messageId = 1): number {
    return this.push({
      callback_query: {
        id: `cb${this.nextUpdateId}`,
        from: userObj(user),
        chat_instance: `ci${user.id}`,
        data,
        message: { message_id: messageId, chat: { id: user.id, type: 'private' }, date: 0, text: '…' },
      },
    });
  }

  /** A message from `user` in a group or supergroup (`chatId` negative, as Telegram gives them). */
  groupMessage(
    user: FakeUser,
    chatId: number,
    text: string,
    type: 'group' | 'supergroup' = 'supergroup',
  ): number {
    return this.push({
      message: {
        message_id: this.nextMessageId++,
        from: userObj(user),
        chat: { id: chatId, type, title: 'Some group' },
        date: Math.floor(Date.now() / 1000),
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] }
          : {}),
      },
    });
  }

  /** A press by `user` of a button on the bot's message `messageId` in a group chat. */
  pressGroupButton(user: FakeUser, chatId: number, data: string, messageId = 1): number {
    return this.push({
      callback_query: {
        id: `cb${this.nextUpdateId}`,
        from: userObj(user),
        chat_instance: `ci${chatId}`,
        data,
        message: { message_id: messageId, chat: { id: chatId, type: 'supergroup' }, date: 0, text: '…' },
      },
    });
  }

  preCheckout(user: FakeUser, q: { payload: string; totalAmount: number; currency?: string }): number {
    return this.push({
      pre_checkout_query: {
        id: `pcq${this.nextUpdateId}`,
        from: userObj(user),
        currency: q.currency ?? 'XTR',
        total_amount: q.totalAmount,
        invoice_payload: q.payload,
      },
    });
  }

  /** Stars received, as getStarTransactions lists them (successfulPayment adds one; newest last). */
  readonly starTransactions: Record<string, unknown>[] = [];

  /** Telegram took the Stars; no update is delivered (a lost successful_payment). */
  starPayment(user: FakeUser, p: { payload: string; totalAmount: number; chargeId: string }): void {
    this.starTransactions.push({
      id: p.chargeId,
      amount: p.totalAmount,
      date: Math.floor(Date.now() / 1000),
      source: { type: 'user', user: userObj(user), invoice_payload: p.payload },
    });
  }

  successfulPayment(user: FakeUser, p: { payload: string; totalAmount: number; chargeId: string }): number {
    this.starPayment(user, p);
    return this.push({
      message: {
        message_id: this.nextMessageId++,
        from: userObj(user),
        chat: { id: user.id, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        successful_payment: {
          currency: 'XTR',
          total_amount: p.totalAmount,
          invoice_payload: p.payload,
          telegram_payment_charge_id: p.chargeId,
          provider_payment_charge_id: '',
        },
      },
    });
  }

  /** Queues a raw update (an update_id is assigned) and returns its id. */
  push(update: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    const full = { update_id, ...update };
    this.pending.push(full);
    this.history.set(update_id, full);
    if (this.webhook) void this.deliverWebhooks();
    else this.wake();
    return update_id;
  }

  /** The webhook as the bot registered it (url and secret), or undefined. */
  get webhookConfig(): { url: string; secret?: string } | undefined {
    return this.webhook;
  }

  /** Updates not yet confirmed by an offset (polling) or a 2xx (webhook). */
  get pendingCount(): number {
    return this.pending.length;
  }

  sentTo(chatId: number, method?: string): SentCall[] {
    return this.sent.filter((c) => Number(c.params.chat_id) === chatId && (!method || c.method === method));
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec((req.url ?? '').split('?')[0]);
    const params = await readParams(req);
    if (!m) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m;
    this.requests.push({ method, at: Date.now() });
    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id as string | number);
    res.on('finish', () => this.answered.push({ method, status: res.statusCode, chatId, at: Date.now() }));
    if (token !== this.opts.token)
      return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (this.flood && (this.flood.methods.has('*') || this.flood.methods.has(method))) {
      const leftMs = this.flood.until - Date.now();
      if (leftMs > 0)
        return this.fail(res, {
          kind: 'status',
          code: 429,
          retryAfter: Math.max(1, Math.ceil(leftMs / 1000)),
        });
      this.flood = undefined;
    }
    const fault = this.takeFault(method);
    if (fault) {
      if (fault.kind === 'hang') return; // accept, never answer
      if (fault.kind === 'drop') return void req.socket.destroy();
      if (fault.kind === 'malformed')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":tru');
      if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault.kind === 'status') return this.fail(res, fault);
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
        return this.getUpdates(params, res);
      case 'setWebhook':
        this.webhook = { url: String(params.url), secret: params.secret_token as string | undefined };
        if (this.waiter) this.endWaiter(409, 'Conflict: terminated by setWebhook');
        void this.deliverWebhooks();
        return ok(res, true);
      case 'deleteWebhook':
        this.webhook = undefined;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') this.pending = [];
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
          : this.fail(res, { kind: 'status', code: 400, description: a.description });
      }
      case 'getWebhookInfo':
        return ok(res, {
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.pending.length,
        });
      default:
        return this.record(method, params, res);
    }
  }

  private record(method: string, params: Record<string, unknown>, res: ServerResponse): void {
    if (this.opts.limits && /^send|^edit|^copy|^forward/.test(method)) {
      const retry = this.rateLimited(String(params.chat_id));
      if (retry) return this.fail(res, { kind: 'status', code: 429, retryAfter: retry });
    }
    const call: SentCall = { method, params, at: Date.now() };
    this.sent.push(call);
    if (method === 'editMessageText' && this.opts.rejectUnmodifiedEdits) {
      const key = `${String(params.chat_id)}:${String(params.message_id)}`;
      const content = JSON.stringify([params.text, params.reply_markup ?? null]);
      const unchanged = this.editedContent.get(key) === content;
      this.editedContent.set(key, content);
      if (unchanged)
        return reply(res, 400, {
          ok: false,
          error_code: 400,
          description:
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        });
    }
    if (method === 'refundStarPayment') {
      const dup = this.sent.filter(
        (c) =>
          c.method === method && c.params.telegram_payment_charge_id === params.telegram_payment_charge_id,
      );
      if (dup.length > 1)
        return reply(res, 400, {
          ok: false,
          error_code: 400,
          description: 'Bad Request: CHARGE_ALREADY_REFUNDED',
        });
    }
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

  private rateLimited(chat: string): number {
    const now = Date.now();
    const { perChatPerSecond, globalPerSecond } = this.opts.limits!;
    const recent = (key: string) => (this.sendTimes.get(key) ?? []).filter((t) => now - t < 1000);
    const chatTimes = recent(chat);
    const all = recent('*');
    if (chatTimes.length >= perChatPerSecond || all.length >= globalPerSecond) return 1;
    this.sendTimes.set(chat, [...chatTimes, now]);
    this.sendTimes.set('*', [...all, now]);
    return 0;
  }

  private getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    if (this.webhook)
      return this.fail(res, {
        kind: 'status',
        code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeout = Math.min(50, Number(params.timeout ?? 0));
    if (offset > 0) {
      this.pending = this.pending.filter((u) => (u.update_id as number) >= offset);
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
    }
    if (this.waiter)
      this.endWaiter(
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      );
    const ready = this.pending.slice(0, limit);
    if (ready.length > 0 || timeout === 0) return ok(res, ready);
    const timer = setTimeout(() => {
      if (this.waiter?.res === res) this.waiter = undefined;
      ok(res, []);
    }, timeout * 1000);
    this.waiter = { offset, limit, res, timer };
    res.on('close', () => {
      if (this.waiter?.res === res) {
        clearTimeout(timer);
        this.waiter = undefined;
      }
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    clearTimeout(w.timer);
    this.waiter = undefined;
    ok(w.res, this.pending.slice(0, w.limit));
  }

  private endWaiter(code: number, description: string): void {
    const w = this.waiter!;
    clearTimeout(w.timer);
    this.waiter = undefined;
    reply(w.res, code, { ok: false, error_code: code, description });
  }

  /** Delivers pending updates to the webhook one at a time, retrying with a short doubling delay. */
  private async deliverWebhooks(): Promise<void> {
    if (this.deliveries > 0 || !this.webhook) return;
    // Traffic stays on this machine: a webhook elsewhere is recorded, never called.
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(this.webhook.url)) return;
    this.deliveries++;
    try {
      let delay = 50;
      while (this.webhook && this.pending.length > 0) {
        const update = this.pending[0];
        const statuses = await Promise.all(
          Array.from({ length: this.webhookCopies }, () => this.post(update)),
        );
        if (statuses.some((s) => s >= 200 && s < 300)) {
          this.pending.shift();
          delay = 50;
        } else {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 2_000);
        }
      }
    } finally {
      this.deliveries--;
    }
  }

  /** One webhook POST with the secret header; the HTTP status, or 0 when there was no answer. */
  private async post(update: Record<string, unknown>): Promise<number> {
    const hook = this.webhook!;
    // Traffic stays on this machine: a webhook elsewhere is recorded, never called.
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(hook.url)) return 0;
    return fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(hook.secret ? { 'x-telegram-bot-api-secret-token': hook.secret } : {}),
      },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      })
      .catch(() => 0);
  }

  private takeFault(method: string): Fault | undefined {
    for (const key of [method, '*']) {
      const list = this.faults.get(key);
      if (list?.length) return list.shift();
    }
    return undefined;
  }

  private fail(res: ServerResponse, f: Extract<Fault, { kind: 'status' }>): void {
    const descriptions: Record<number, string> = {
      400: 'Bad Request: message text is empty',
      401: 'Unauthorized',
      403: 'Forbidden: bot was blocked by the user',
      409: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      429: `Too Many Requests: retry after ${f.retryAfter ?? 1}`,
      500: 'Internal Server Error',
      502: 'Bad Gateway',
    };
    reply(res, f.code, {
      ok: false,
      error_code: f.code,
      description: f.description ?? descriptions[f.code],
      ...(f.code === 429 ? { parameters: { retry_after: f.retryAfter ?? 1 } } : {}),
    });
  }
}

export interface FakeUser {
  id: number;
  username?: string;
  firstName?: string;
  languageCode?: string;
}

function userObj(u: FakeUser) {
  return {
    id: u.id,
    is_bot: false,
    first_name: u.firstName ?? 'User',
    username: u.username,
    language_code: u.languageCode ?? 'en',
  };
}

function ok(res: ServerResponse, result: unknown): void {
  reply(res, 200, { ok: true, result });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json') && raw.length)
    return { ...query, ...(JSON.parse(raw.toString()) as object) };
  if (type.includes('application/x-www-form-urlencoded'))
    return { ...query, ...Object.fromEntries(new URLSearchParams(raw.toString())) };
  if (type.includes('multipart/form-data')) return { ...query, ...parseMultipart(raw, type) };
  return query;
}

const uploads = new WeakMap<object, Buffer>();

/** The bytes of a file the bot uploaded (a recorded `{ file: true }` parameter), e.g. a QR code photo. */
export function uploadedFile(param: unknown): Buffer | undefined {
  return typeof param === 'object' && param !== null ? uploads.get(param) : undefined;
}

/** Enough multipart parsing to record text fields and the size of file fields (photos). */
function parseMultipart(raw: Buffer, type: string): Record<string, unknown> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) return {};
  const sep = `--${boundary[1] ?? boundary[2]}`;
  const out: Record<string, unknown> = {};
  for (const part of raw.toString('latin1').split(sep).slice(1, -1)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    const body = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name) continue;
    if (/filename=/.test(head)) {
      const file = { file: true, bytes: Buffer.from(body, 'latin1').length };
      uploads.set(file, Buffer.from(body, 'latin1'));
      out[name] = file;
    } else out[name] = Buffer.from(body, 'latin1').toString();
  }
  return out;
}
