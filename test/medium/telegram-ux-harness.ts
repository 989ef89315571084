import type { DynamicModule, INestApplication, LoggerService, Type } from '@nestjs/common';
import { DbService } from '../../src/database/db.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { TelegramModule } from '../../src/telegram/telegram.module';
import { createFactory, type Factory } from '../support/factories';
import type { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import type { FakeTelegram, FakeUser, SentCall } from '../../src/demo/fake-telegram';
import type { FakeChannel } from '../../src/demo/fake-telegram-chats';
import type { FakeXrayCore } from '../../src/demo/fake-xray-core';
import { startTestBed, until, type TestBed } from '../support/test-bed';
import { testEnv } from '../support/test-env';

export const BOT_TOKEN = testEnv().BOT_TOKEN!;
let nextId = 500_000_000 + Math.floor(Math.random() * 1_000_000) * 10;

export interface Button {
  text: string;
  callback_data?: string;
  url?: string;
}

/**
 * The whole Telegram module (real handlers, transports, inbox, dispatcher, sender) on a real database,
 * polling a FakeTelegram over a socket, with an in-process fake Xray core and optionally a fake Crypto Pay.
 * Jobs are not scheduled: tests run provisioning and notification delivery with `runJob`.
 */
export class BotHarness {
  app!: INestApplication;
  db!: DbService;
  factory!: Factory;
  telegram!: FakeTelegram;
  core!: FakeXrayCore;
  cryptoPay?: FakeCryptoPay;
  /** Set when started with `listen`. */
  url?: string;
  private bed?: TestBed;

  static async start(
    o: {
      cryptoPay?: boolean;
      env?: Record<string, string>;
      strictEdits?: boolean;
      listen?: boolean;
      /** Channels the fake Bot API knows from the start (getChat / getChatMember). */
      channels?: FakeChannel[];
      logger?: LoggerService;
      imports?: (Type | DynamicModule)[];
    } = {},
  ): Promise<BotHarness> {
    const h = new BotHarness();
    h.bed = await startTestBed({
      core: true,
      cryptoPay: o.cryptoPay,
      telegram: { rejectUnmodifiedEdits: o.strictEdits, channels: o.channels },
      env: {
        TELEGRAM_CHAT_MIN_INTERVAL_MS: '0',
        TELEGRAM_SEND_RATE: '30',
        VPN_PUBLIC_HOST: 'vpn.example.test',
        PUBLIC_BASE_URL: 'https://sub.example.test',
        SUPPORT_CONTACT: '@help_desk',
        ...o.env,
      },
      imports: [TelegramModule, ...(o.imports ?? [])],
      listen: o.listen,
      logger: o.logger,
    });
    h.app = h.bed.app;
    h.url = h.bed.url;
    h.telegram = h.bed.telegram;
    h.core = h.bed.core!;
    h.cryptoPay = h.bed.cryptoPay;
    h.db = h.bed.get(DbService);
    h.factory = createFactory(h.db.dataSource);
    return h;
  }

  async stop(): Promise<void> {
    await this.bed?.close();
  }

  newUser(over: Partial<FakeUser> = {}): FakeUser {
    return { id: nextId++, firstName: 'Ann', languageCode: 'en', ...over };
  }

  /** A user message; resolves with what the bot sent while handling it. */
  say(user: FakeUser, text: string): Promise<SentCall[]> {
    return this.handled(() => this.telegram.userMessage(user, text));
  }

  /** A button press on message `messageId`; resolves with what the bot sent while handling it. */
  tap(user: FakeUser, data: string, messageId = 1): Promise<SentCall[]> {
    return this.handled(() => this.telegram.pressButton(user, data, messageId));
  }

  /** Injects any update; resolves when the dispatcher finished it (done or failed) with the calls made. */
  async handled(inject: () => number): Promise<SentCall[]> {
    const from = this.telegram.sent.length;
    const updateId = inject();
    await this.until(async () => ['done', 'failed'].includes((await this.updateState(updateId)) ?? ''));
    return this.telegram.sent.slice(from);
  }

  async updateState(updateId: number): Promise<string | undefined> {
    const rows = await this.db.query<{ state: string }>(
      'test',
      'SELECT state FROM telegram_updates WHERE update_id = $1',
      [updateId],
    );
    return rows[0]?.state;
  }

  runJob(name: string) {
    return this.app.get(JobRunnerService).runNow(name);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.bed!.query<T>(sql, params);
  }

  until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
    return until(cond, ms);
  }
}

/** Texts of the messages (sent or edited) among `calls`. */
export const textsOf = (calls: SentCall[]): string[] =>
  calls.filter((c) => /^(sendMessage|editMessageText)$/.test(c.method)).map((c) => String(c.params.text));

export const lastText = (calls: SentCall[]): string => textsOf(calls).at(-1) ?? '';

/** Inline keyboard buttons of the last message among `calls` that has one. */
export function buttonsOf(calls: SentCall[]): Button[] {
  for (const c of [...calls].reverse()) {
    const raw = c.params.reply_markup;
    const markup = (typeof raw === 'string' ? JSON.parse(raw) : raw) as
      { inline_keyboard?: Button[][] } | undefined;
    if (markup?.inline_keyboard) return markup.inline_keyboard.flat();
  }
  return [];
}

export const callbackData = (calls: SentCall[]): string[] =>
  buttonsOf(calls)
    .map((b) => b.callback_data)
    .filter((d): d is string => !!d);

/** The callback answers (toasts) among `calls`. */
export const answersOf = (calls: SentCall[]) => calls.filter((c) => c.method === 'answerCallbackQuery');
