import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { currentCaller } from '../database/caller-context';
import { SignalsService } from '../signals/signals.service';
import { BotApiClient } from './bot-api.client';
import { TelegramApiError } from './bot-api.errors';

export interface SendOptions {
  signal?: AbortSignal;
  maxWaitMs?: number;
}

export class RecipientUnavailableError extends Error {
  override name = 'RecipientUnavailableError';
}

/** The send fails only after every listener settled; a failing listener is only logged. */
export type RecipientUnavailableListener = (chatId: number) => Promise<void>;

const MAX_429_RETRIES = 3;

/** Hand-rolled: limiter libraries model neither per-chat pacing nor a pause set by Telegram's retry_after. */
@Injectable()
export class TelegramSenderService {
  private readonly logger = new Logger('TelegramSenderService');
  private readonly globalIntervalMs: number;
  private readonly chatIntervalMs: number;
  private nextGlobalSlot = 0;
  private pausedUntil = 0;
  private readonly nextChatSlot = new Map<string, number>();
  private readonly lastChatSend = new Map<string, number>();
  private readonly unavailableListeners: RecipientUnavailableListener[] = [];
  readonly stats = { sent: 0, rateLimited: 0, blocked: 0, failed: 0 };

  constructor(
    config: AppConfig,
    private readonly api: BotApiClient,
    private readonly signals: SignalsService,
  ) {
    this.globalIntervalMs = 1000 / config.telegram.sendRatePerSecond;
    this.chatIntervalMs = config.telegram.chatMinIntervalMs;
  }

  onRecipientUnavailable(listener: RecipientUnavailableListener): void {
    this.unavailableListeners.push(listener);
  }

  async send<T = unknown>(
    method: string,
    params: Record<string, unknown>,
    opts: SendOptions = {},
  ): Promise<T> {
    // Per-chat pacing is for messages; callback answers and edits only count against the global rate.
    const chat = /^(send|copy|forward)/.test(method) ? String(params.chat_id ?? '') : '';
    opts = { ...opts, signal: opts.signal ?? currentCaller()?.signal };
    const giveUpAt = Date.now() + (opts.maxWaitMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
      await this.waitForSlot(chat, giveUpAt, opts.signal);
      try {
        const result = await this.api.call<T>(method, params, { signal: opts.signal });
        this.stats.sent++;
        this.signals.record('telegram.send.ok');
        return result;
      } catch (err) {
        if (!(err instanceof TelegramApiError)) {
          this.stats.failed++;
          throw err;
        }
        if (err.code === 429 && attempt < MAX_429_RETRIES) {
          this.stats.rateLimited++;
          this.signals.record('telegram.send.429');
          const waitMs = (err.retryAfterS ?? 1) * 1000;
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + waitMs);
          this.logger.warn(`429 on ${method} to ${chat || '-'}: pausing sends for ${waitMs} ms`);
          continue;
        }
        if (err.code === 403 && params.chat_id !== undefined) {
          this.stats.blocked++;
          await this.reportUnavailable(Number(params.chat_id));
          throw new RecipientUnavailableError(err.description);
        }
        this.stats.failed++;
        throw err;
      }
    }
  }

  sendMessage(chatId: number, text: string, extra: Record<string, unknown> = {}, opts?: SendOptions) {
    return this.send<{ message_id: number }>('sendMessage', { chat_id: chatId, text, ...extra }, opts);
  }

  /** The chat's turn is reserved without a global slot, so one chat's pacing never delays the others. */
  private async waitForSlot(chat: string, giveUpAt: number, signal?: AbortSignal): Promise<void> {
    if (chat) {
      const now = Date.now();
      const turn = Math.max(now, this.nextChatSlot.get(chat) ?? 0);
      if (turn > giveUpAt) throw new Error(`send to ${chat} would wait past its deadline (${turn - now} ms)`);
      this.nextChatSlot.set(chat, turn + this.chatIntervalMs);
      if (this.nextChatSlot.size > 10_000) this.pruneChats(now);
      if (turn > now) await sleep(turn - now, signal);
    }
    for (;;) {
      const now = Date.now();
      // The global queue may have delayed the chat's previous message: keep the chat's spacing anyway.
      const chatDue = chat ? (this.lastChatSend.get(chat) ?? 0) + this.chatIntervalMs : 0;
      const at = Math.max(now, this.nextGlobalSlot, this.pausedUntil);
      if (Math.max(at, chatDue) > giveUpAt)
        throw new Error(
          `send to ${chat || '-'} would wait past its deadline (${Math.max(at, chatDue) - now} ms)`,
        );
      if (chatDue > at) {
        await sleep(chatDue - now, signal);
        continue;
      }
      this.nextGlobalSlot = at + this.globalIntervalMs;
      const sentBefore = this.lastChatSend.get(chat);
      if (chat) this.lastChatSend.set(chat, at);
      if (at > now) await sleep(at - now, signal);
      // A 429 that arrived while this send waited pauses it too: sending into a flood wait earns another 429.
      if (this.pausedUntil <= Date.now()) return;
      if (chat && this.lastChatSend.get(chat) === at) {
        if (sentBefore === undefined) this.lastChatSend.delete(chat);
        else this.lastChatSend.set(chat, sentBefore);
      }
    }
  }

  private pruneChats(now: number): void {
    for (const [k, v] of this.nextChatSlot) if (v < now) this.nextChatSlot.delete(k);
    for (const [k, v] of this.lastChatSend) if (v + this.chatIntervalMs < now) this.lastChatSend.delete(k);
  }

  private async reportUnavailable(chatId: number): Promise<void> {
    await Promise.all(
      this.unavailableListeners.map((listen) =>
        listen(chatId).catch((e: unknown) =>
          this.logger.warn(`could not mark ${chatId} blocked: ${(e as Error).message}`),
        ),
      ),
    );
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
