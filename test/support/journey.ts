import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres';
import { startApp, waitFor, type AppProcess } from './app-process';
import { buttonsOf, describe, textOf, type Button } from './bot-messages';
import { createTestDatabase, type TestDatabase } from './database';
import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { FakeTelegram, type FakeUser, type SentCall } from '../../src/demo/fake-telegram';
import { startTargetServer } from './v2ray-access';
import { startV2rayCore, V2RAY_INBOUND_TAG, type V2rayCore } from './v2ray-core';

export const BOT_TOKEN = '123456:journey-token-abcdefghijklmnopqrstuvwxyz';
export const WEBHOOK_SECRET = 'journey-secret-0123456789abcdef0123456789';

export interface JourneyOptions {
  mode: 'polling' | 'webhook';
  /** The real v2fly core (Debian `v2ray`); without it the VPN core is unreachable and keys stay queued. */
  core: boolean;
  env?: Record<string, string>;
}

/**
 * Everything a user journey needs, end to end: a fresh migrated database, the fake Telegram Bot API and fake
 * Crypto Pay over sockets, optionally the real v2fly core with a target server behind it, and the built app
 * as a real process wired to all of them. `stop()` ends it all.
 */
export class Journey {
  app!: AppProcess;
  db!: TestDatabase;
  core?: V2rayCore;
  target?: { port: number; close(): Promise<void> };
  readonly tg = new FakeTelegram({ token: BOT_TOKEN });
  readonly pay = new FakeCryptoPay();
  private appPort = 0;
  private env: Record<string, string> = {};

  private constructor(private readonly opts: JourneyOptions) {}

  static async start(opts: JourneyOptions): Promise<Journey> {
    const j = new Journey(opts);
    await j.init();
    return j;
  }

  private async init(): Promise<void> {
    this.db = await createTestDatabase();
    await this.tg.start();
    await this.pay.start();
    if (this.opts.core) {
      this.target = await startTargetServer();
      this.core = await startV2rayCore({ targetPort: this.target.port });
    }
    this.appPort = await freePort();
    const base = `http://127.0.0.1:${this.appPort}`;
    this.env = {
      DATABASE_URL: this.db.url,
      BOT_TOKEN,
      TELEGRAM_API_ROOT: this.tg.apiRoot,
      TELEGRAM_MODE: this.opts.mode,
      TELEGRAM_POLL_TIMEOUT_S: '2',
      TELEGRAM_POLL_MARGIN_MS: '3000',
      TELEGRAM_CHAT_MIN_INTERVAL_MS: '0',
      NOTIFICATIONS_INTERVAL_MS: '300',
      ...(this.opts.mode === 'webhook' ? { WEBHOOK_URL: `${base}/telegram/webhook`, WEBHOOK_SECRET } : {}),
      CRYPTO_PAY_TOKEN: this.pay.token,
      CRYPTO_PAY_API_ROOT: this.pay.apiRoot,
      CRYPTO_PAY_WATCH_INTERVAL_MS: '1000',
      VPN_PROVIDER: 'xray-grpc',
      XRAY_API_ADDRESS: this.core?.apiAddress ?? `127.0.0.1:${await freePort()}`,
      XRAY_INBOUND_TAG: V2RAY_INBOUND_TAG,
      XRAY_PROTO_NAMESPACE: 'v2ray.core',
      VPN_API_TIMEOUT_MS: '2000',
      VPN_OUTBOX_INTERVAL_MS: '300',
      VPN_PUBLIC_HOST: '127.0.0.1',
      VPN_PUBLIC_PORT: String(this.core?.vlessPort ?? 443),
      PUBLIC_BASE_URL: base,
      WATCHDOG_GRACE_MS: '600000',
      LOG_LEVEL: 'info',
      ...this.opts.env,
    };
    await this.startApp();
  }

  /** Starts (or restarts) the app process on the same port, database and fakes. */
  async startApp(extraEnv: Record<string, string> = {}): Promise<void> {
    this.app = await startApp({ port: this.appPort, env: { ...this.env, ...extraEnv } });
    await waitFor(`${this.app.baseUrl}/health/ready`, { timeoutMs: 60_000 }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- app output ---\n${this.app.output().slice(-4000)}`);
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.appPort}`;
  }

  user(id: number, profile: Partial<FakeUser> = {}): BotUser {
    return new BotUser(this.tg, { id, firstName: `User${id}`, languageCode: 'en', ...profile });
  }

  /** One query on the journey's database (for assertions and for moving time forward on a row). */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.db.url });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  /** Pays the newest Crypto Pay invoice in the fake and delivers its signed webhook to the app. */
  async payLatestCryptoInvoice(): Promise<number> {
    const ids = [...this.pay.invoices.keys()];
    const id = ids[ids.length - 1];
    if (id === undefined) throw new Error('the bot created no Crypto Pay invoice');
    this.pay.markPaid(id);
    const deliveries = await this.pay.deliverWebhook(`${this.baseUrl}/payments/crypto-pay/webhook`, id);
    if (deliveries.some((d) => d.status !== 200))
      throw new Error(`webhook answered ${deliveries.map((d) => d.status).join(',')}`);
    return id;
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    await this.core?.stop();
    await this.target?.close();
    await this.tg.stop();
    await this.pay.stop();
    await this.db?.drop();
  }
}

/** A Telegram user talking to the bot through the fake: sends, presses, and waits for what the bot sends. */
export class BotUser {
  private seen = 0;

  constructor(
    private readonly tg: FakeTelegram,
    readonly profile: FakeUser,
  ) {}

  get id(): number {
    return this.profile.id;
  }

  /** Everything the bot sent to this chat so far. */
  get inbox(): SentCall[] {
    return this.tg.sentTo(this.id);
  }

  send(text: string): void {
    this.tg.userMessage(this.profile, text);
  }

  press(data: string, messageId = 1): void {
    this.tg.pressButton(this.profile, data, messageId);
  }

  /**
   * Waits for the next call to this chat (after the ones already consumed) that matches, and consumes up to
   * it. Fails with everything the chat received when nothing matches in time.
   */
  async next(match: (c: SentCall) => boolean = () => true, timeoutMs = 20_000): Promise<SentCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const calls = this.inbox;
      for (let i = this.seen; i < calls.length; i++) {
        if (match(calls[i])) {
          this.seen = i + 1;
          return calls[i];
        }
      }
      if (Date.now() > deadline)
        throw new Error(
          `no matching message for chat ${this.id} within ${timeoutMs} ms; received:\n${calls
            .map((c) => `${c.method}: ${describe(c)}`)
            .join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The next message whose text (or caption) matches. */
  nextText(re: RegExp, timeoutMs?: number): Promise<SentCall> {
    return this.next((c) => re.test(textOf(c)), timeoutMs);
  }

  /** Presses the button whose callback data matches on the newest message that has one. */
  pressData(re: RegExp): Button {
    return this.pressWhere((b) => re.test(b.callback_data ?? ''), `data ${re}`);
  }

  /** Presses the button whose text matches on the newest message that has one. */
  pressButton(re: RegExp): Button {
    return this.pressWhere((b) => re.test(b.text), `text ${re}`);
  }

  private pressWhere(test: (b: Button) => boolean, what: string): Button {
    const calls = this.inbox;
    for (let i = calls.length - 1; i >= 0; i--) {
      const b = buttonsOf(calls[i]).find((x) => test(x) && x.callback_data);
      if (b) {
        const messageId = Number((calls[i].params as { message_id?: unknown }).message_id ?? 1);
        this.press(b.callback_data!, messageId);
        return b;
      }
    }
    throw new Error(
      `no button matching ${what} for chat ${this.id}; buttons: ${calls
        .flatMap(buttonsOf)
        .map((b) => `${b.text} (${b.callback_data ?? b.url})`)
        .join(' | ')}`,
    );
  }
}

export { buttonsOf, textOf, type Button };
