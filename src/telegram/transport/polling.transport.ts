import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../../config/app-config';
import { withCaller } from '../../database/caller-context';
import { JobLeaseRepository } from '../../jobs/job-lease.repository';
import type { PollingState, PollingStatus } from '../../signals/signal-registry';
import { SignalsService } from '../../signals/signals.service';
import { BotApiClient } from '../../bot-api/bot-api.client';
import { TelegramApiError, TelegramNetworkError } from '../../bot-api/bot-api.errors';
import { TelegramInboxRepository } from './telegram-inbox.repository';
import { UpdateDispatcherService } from './update-dispatcher.service';

export const ALLOWED_UPDATES = ['message', 'callback_query', 'pre_checkout_query', 'my_chat_member'];
const LEASE_NAME = 'telegram-poller';
const CONFLICT_ALERT_MS = 120_000;

/** See docs/architecture.md, reliability rules 5 and 6; one consumer across replicas by a lease row. */
@Injectable()
export class PollingTransport {
  private readonly logger = new Logger('PollingTransport');
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private state: PollingState = 'idle';
  private offset = 0;
  private inFlightSince?: number;
  private request?: AbortController;
  private stop?: AbortController;
  private loop?: Promise<void>;
  private consecutiveErrors = 0;
  private lastError?: string;
  private conflictSince?: number;
  private conflictAlerted = false;
  private abortedOnPurpose = false;

  constructor(
    private readonly config: AppConfig,
    private readonly api: BotApiClient,
    private readonly inbox: TelegramInboxRepository,
    private readonly dispatcher: UpdateDispatcherService,
    private readonly leases: JobLeaseRepository,
    private readonly signals: SignalsService,
  ) {}

  get deadlineMs(): number {
    return this.config.telegram.pollTimeoutS * 1000 + this.config.telegram.pollMarginMs;
  }

  start(): void {
    if (this.loop) return;
    this.stop = new AbortController();
    this.loop = this.run(this.stop.signal).finally(() => (this.loop = undefined));
  }

  async shutdown(): Promise<void> {
    this.stop?.abort(new Error('shutting down'));
    await this.loop;
    this.state = 'stopped';
    await this.leases.release([LEASE_NAME], this.holder).catch(() => undefined);
  }

  abortInFlight(reason: string): boolean {
    if (!this.request) return false;
    this.logger.warn(`aborting getUpdates in flight: ${reason}`);
    this.abortedOnPurpose = true;
    this.request.abort(new Error(reason));
    return true;
  }

  status(): PollingStatus {
    return {
      state: this.state,
      offset: this.offset,
      inFlightSinceMs: this.inFlightSince,
      deadlineMs: this.deadlineMs,
      consecutiveErrors: this.consecutiveErrors,
      lastError: this.lastError,
      conflictForMs:
        this.conflictSince === undefined ? undefined : Math.round(performance.now() - this.conflictSince),
    };
  }

  private async run(stop: AbortSignal): Promise<void> {
    const leaseTtl = this.deadlineMs * 3;
    let webhookCleared = false;
    while (!stop.aborted) {
      const leader = await withCaller({ label: 'telegram.poller' }, () =>
        this.leases.acquire(LEASE_NAME, this.holder, leaseTtl),
      ).catch((err: unknown) => {
        this.noteError(`lease: ${(err as Error).message}`);
        return undefined;
      });
      if (leader === undefined) {
        await this.backoff(stop);
        continue;
      }
      if (!leader) {
        if (this.state !== 'standby') this.logger.log('another instance is polling; standing by');
        this.state = 'standby';
        await sleep(Math.min(this.deadlineMs, 10_000) * jitter(), stop);
        continue;
      }
      try {
        if (!webhookCleared) {
          // Polling and a webhook exclude each other (409). Pending updates are kept, never dropped.
          await this.api.call('deleteWebhook', { drop_pending_updates: false }, { signal: stop });
          webhookCleared = true;
        }
        await this.pollOnce(stop);
      } catch (err) {
        if (stop.aborted) break;
        if (this.abortedOnPurpose) {
          this.abortedOnPurpose = false;
          continue; // poll again at once with the same offset: nothing was confirmed
        }
        const wait = this.react(err as Error);
        if (wait === 'stop') return;
        await sleep(wait, stop);
      }
    }
  }

  private async pollOnce(stop: AbortSignal): Promise<void> {
    this.state = 'polling';
    this.request = new AbortController();
    const signal = AbortSignal.any([stop, this.request.signal]);
    this.inFlightSince = performance.now();
    let updates: ({ update_id: number } & Record<string, unknown>)[];
    try {
      updates = await this.api.call(
        'getUpdates',
        {
          offset: this.offset,
          limit: 100,
          timeout: this.config.telegram.pollTimeoutS,
          allowed_updates: ALLOWED_UPDATES,
        },
        { signal, timeoutMs: this.deadlineMs },
      );
    } finally {
      this.inFlightSince = undefined;
      this.request = undefined;
    }
    this.signals.record('telegram.poll.completed', { updates: updates.length });
    if (this.config.watchdog.diagnostics) {
      const maxId = updates.length ? Math.max(...updates.map((u) => u.update_id)) : undefined;
      this.logger.log(
        `getUpdates batch size=${updates.length} max_update_id=${maxId ?? '-'} offset=${this.offset}`,
      );
    }
    if (updates.length > 0) {
      // Stored before the offset moves: the next getUpdates confirms them, so a crash here loses nothing.
      await withCaller({ label: 'telegram.poller' }, () => this.inbox.store(updates));
      this.offset = Math.max(...updates.map((u) => u.update_id)) + 1;
      this.signals.record('telegram.updates.received', { count: updates.length });
      this.dispatcher.wake();
    }
    this.consecutiveErrors = 0;
    this.lastError = undefined;
    this.conflictSince = undefined;
    this.conflictAlerted = false;
  }

  private react(err: Error): number | 'stop' {
    this.noteError(err.message);
    this.state = 'backoff';
    if (err instanceof TelegramApiError) {
      if (err.code === 401) {
        this.state = 'unauthorized';
        this.logger.error(
          'BOT_TOKEN was rejected (401): polling stopped, the instance stays up but not ready',
        );
        this.signals.record('telegram.unauthorized');
        return 'stop';
      }
      if (err.code === 429) return (err.retryAfterS ?? 1) * 1000;
      if (err.code === 409) {
        this.conflictSince ??= performance.now();
        const lasting = performance.now() - this.conflictSince;
        if (lasting > CONFLICT_ALERT_MS && !this.conflictAlerted) {
          this.conflictAlerted = true;
          this.logger.error(
            `getUpdates has been in conflict for ${Math.round(lasting / 1000)} s: another process polls with this token or a webhook is set`,
          );
        }
        this.signals.record('telegram.poll.conflict');
        return (5_000 + Math.random() * 10_000) | 0;
      }
    }
    const network =
      err instanceof TelegramNetworkError || (err instanceof TelegramApiError && err.code >= 500);
    if (!network) this.logger.warn(`unexpected polling error: ${err.message}`);
    return this.backoffMs();
  }

  private noteError(message: string): void {
    this.consecutiveErrors++;
    this.lastError = message;
    this.signals.record('telegram.poll.error', { message });
    this.logger.warn(`getUpdates failed (${this.consecutiveErrors} in a row): ${message}`);
  }

  private backoffMs(): number {
    return Math.round(Math.min(1_000 * 1.3 ** Math.max(0, this.consecutiveErrors - 1), 30_000) * jitter());
  }

  private async backoff(stop: AbortSignal): Promise<void> {
    await sleep(this.backoffMs(), stop);
  }
}

function jitter(): number {
  return 0.9 + Math.random() * 0.2;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
