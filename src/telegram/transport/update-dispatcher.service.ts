import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { withCaller } from '../../database/caller-context';
import { isTransientDbError } from '../../database/transient-db-error';
import { retryDelayMs } from '../../jobs/backoff';
import type { DispatcherStatus } from '../../signals/signal-registry';
import { SignalsService } from '../../signals/signals.service';
import { TelegramApiError, TelegramNetworkError } from '../../bot-api/bot-api.errors';
import { kindOf, TelegramInboxRepository, type InboxUpdate } from './telegram-inbox.repository';
import { TransientUpdateError, UpdateHandler } from './update-handler';
import { WebhookIntakeService } from './webhook-intake.service';

const IDLE_POLL_MS = 1_000;
const LOCK_MARGIN_MS = 5_000;
// While webhook deliveries wait to be stored, claims wait too (never longer than this in a row): the 200
// Telegram waits for comes first, the handling a moment later.
const YIELD_TO_INTAKE_MS = 100;
const ABANDON_GRACE_MS = 1_000;
const LOOP_EXIT_WAIT_MS = 2_000;

interface InFlight {
  update: InboxUpdate;
  started: number;
  abort: AbortController;
  abandon: (reason: Error) => void;
}

/** In order per chat, concurrent across chats, each under a deadline; a failing update blocks no chat. */
@Injectable()
export class UpdateDispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('UpdateDispatcherService');
  private readonly inFlight = new Map<number, InFlight>();
  private running = false;
  private generation = 0;
  private pausedUntil = 0;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private processed = 0;
  private failed = 0;
  private attempts = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly inbox: TelegramInboxRepository,
    private readonly handler: UpdateHandler,
    private readonly signals: SignalsService,
    private readonly intake: WebhookIntakeService,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
    void this.reportRecovery();
  }

  /** A claim is not taken over at start (it may be a live replica's): it comes back when it lapses. */
  private async reportRecovery(): Promise<void> {
    try {
      const c = await this.inbox.counts();
      if (c.pending + c.processing === 0) return;
      const lapseS = Math.ceil((this.config.telegram.handlerTimeoutMs + LOCK_MARGIN_MS) / 1000);
      // Claimed rows at start mean a process died mid-update (or another replica is busy): worth a warning.
      this.logger[c.processing > 0 ? 'warn' : 'log'](
        `inbox recovery: ${c.pending} unfinished update(s) queued, ${c.processing} claimed by an earlier or other ` +
          `process (retried when the claim lapses, within ${lapseS} s); ${c.failed} kept as failed`,
      );
    } catch (err) {
      this.logger.warn(`inbox recovery: could not read the inbox: ${(err as Error).message}`);
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(this.generation);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    // Bounded: a loop stuck in a claim (starved pool, hung server) must not hold the shutdown hostage.
    await Promise.race([this.loop, sleep(LOOP_EXIT_WAIT_MS)]);
    const deadline = Date.now() + this.config.http.shutdownDrainMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(50);
    const unfinished = [...this.inFlight.values()];
    for (const f of unfinished) f.abort.abort(new Error('shutting down'));
    await this.inbox.release(unfinished.map((f) => f.update.updateId)).catch(() => undefined);
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Watchdog recovery (class B): a new claim loop; handlers stuck for `stuckAfterMs` are given back. */
  restart(reason: string, stuckAfterMs = this.config.telegram.handlerTimeoutMs): { abandoned: number[] } {
    const now = performance.now();
    const stuck = [...this.inFlight.values()].filter((f) => now - f.started >= stuckAfterMs);
    this.generation++;
    this.logger.warn(
      `restarting the dispatcher (generation ${this.generation}): ${reason}; abandoning ${stuck.length} stuck handler(s)` +
        (stuck.length
          ? ` (${stuck.map((f) => `${f.update.updateId}@chat ${f.update.chatId ?? '-'}`).join(', ')})`
          : ''),
    );
    for (const f of stuck) {
      const err = new TransientUpdateError(`abandoned by a dispatcher restart: ${reason}`);
      f.abort.abort(err);
      f.abandon(err);
    }
    this.pausedUntil = 0;
    if (this.running) {
      this.wake(); // lets the old loop see the new generation and exit
      this.loop = this.run(this.generation);
    }
    return { abandoned: stuck.map((f) => f.update.updateId) };
  }

  pause(ms: number, reason: string): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
    this.logger.warn(`dispatcher paused for ${ms} ms: ${reason}`);
  }

  status(): DispatcherStatus {
    const now = performance.now();
    const limit = this.config.telegram.handlerTimeoutMs;
    let oldest: InFlight | undefined;
    for (const f of this.inFlight.values()) if (!oldest || f.started < oldest.started) oldest = f;
    return {
      generation: this.generation,
      pausedForMs: Math.max(0, Math.round(this.pausedUntil - now)),
      oldest: oldest && {
        updateId: oldest.update.updateId,
        chatId: oldest.update.chatId,
        ms: Math.round(now - oldest.started),
      },
      running: this.running,
      inFlight: this.inFlight.size,
      concurrency: this.config.telegram.handlerConcurrency,
      processed: this.processed,
      failed: this.failed,
      attempts: this.attempts,
      overdue: [...this.inFlight.values()]
        .filter((f) => now - f.started > limit)
        .map((f) => ({
          updateId: f.update.updateId,
          chatId: f.update.chatId,
          ms: Math.round(now - f.started),
        })),
    };
  }

  private async run(generation: number): Promise<void> {
    const { handlerConcurrency, handlerTimeoutMs } = this.config.telegram;
    let backoffMs = 0;
    const current = () => this.running && generation === this.generation;
    while (current()) {
      const free = handlerConcurrency - this.inFlight.size;
      const pausedMs = this.pausedUntil - performance.now();
      let claimed: InboxUpdate[] = [];
      if (free > 0 && pausedMs <= 0) {
        for (
          const until = performance.now() + YIELD_TO_INTAKE_MS;
          this.intake.busy() && performance.now() < until;
        )
          await new Promise((r) => setTimeout(r, 2));
        try {
          claimed = await withCaller({ label: 'telegram.dispatcher' }, () =>
            this.inbox.claim(free, handlerTimeoutMs + LOCK_MARGIN_MS),
          );
          backoffMs = 0;
        } catch (err) {
          backoffMs = Math.min(Math.max(backoffMs * 2, 250), 5_000);
          this.logger.warn(`cannot claim updates (retry in ${backoffMs} ms): ${(err as Error).message}`);
        }
      }
      if (!current()) {
        // Superseded (restart) or stopping while the claim was on its way: give the claims back untouched.
        await withCaller({ label: 'telegram.dispatcher' }, () =>
          this.inbox.release(claimed.map((u) => u.updateId)),
        ).catch(() => undefined);
        return;
      }
      for (const u of claimed) void this.process(u);
      if (claimed.length === 0 || this.inFlight.size >= handlerConcurrency) {
        const idleMs = pausedMs > 0 ? Math.min(pausedMs, IDLE_POLL_MS) : backoffMs || IDLE_POLL_MS;
        let mine: (() => void) | undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          this.wakeUp = mine = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        // A newer loop (restart) may have registered its own wake-up meanwhile: leave that one alone.
        if (this.wakeUp === mine) this.wakeUp = undefined;
      }
    }
  }

  private async process(update: InboxUpdate): Promise<void> {
    const { handlerTimeoutMs, updateMaxAttempts } = this.config.telegram;
    const abort = new AbortController();
    const started = performance.now();
    let abandon: (reason: Error) => void = () => undefined;
    const abandonedNow = new Promise<never>((_, reject) => (abandon = reject));
    abandonedNow.catch(() => undefined);
    this.inFlight.set(update.updateId, { update, started, abort, abandon });
    const timer = setTimeout(
      () => abort.abort(new TransientUpdateError(`handler deadline of ${handlerTimeoutMs} ms exceeded`)),
      handlerTimeoutMs,
    );
    const label = `telegram.update.${kindOf(update.payload)}`;
    try {
      const work = withCaller({ label, signal: abort.signal }, () =>
        this.handler.handle(update.payload, abort.signal),
      );
      // A handler ignoring its signal is abandoned and retried (effects are idempotent).
      const abandoned = new Promise<never>((_, reject) => {
        abort.signal.addEventListener('abort', () =>
          setTimeout(
            () => reject(new TransientUpdateError(`handler ignored its deadline; abandoned`)),
            ABANDON_GRACE_MS,
          ),
        );
      });
      work.catch(() => undefined);
      await Promise.race([work, abandoned, abandonedNow]);
      if (abort.signal.aborted) throw abort.signal.reason;
      await withCaller({ label: 'telegram.dispatcher' }, () => this.inbox.complete(update.updateId));
      this.processed++;
      const ms = performance.now() - started;
      this.signals.record('telegram.update.processed', {
        ms: Math.round(ms),
        sinceReceivedMs: update.waitedMs === undefined ? undefined : Math.max(0, update.waitedMs + ms),
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      // A Telegram outage is not this update's fault: retried while it lasts, past max attempts.
      const outage = isTelegramOutage(error);
      // Telegram never resends a payment: its update is retried until it is settled (backoff up to 10 min).
      const payment = isPaymentUpdate(update.payload);
      const retry = isTransient(error) && (update.attempts < updateMaxAttempts || outage || payment);
      const retryInMs = retry
        ? retryDelayMs(update.attempts, {
            baseMs: 1_000,
            maxMs: payment ? PAYMENT_RETRY_MAX_MS : outage ? 30_000 : 60_000,
          })
        : null;
      if (!retry) this.failed++;
      this.logger.error(
        `update ${update.updateId} (${kindOf(update.payload)}, chat ${update.chatId ?? '-'}) failed on attempt ${update.attempts}: ` +
          `${error.message}; ${retry ? `retry in ${retryInMs} ms` : 'kept as failed'}`,
        retry ? undefined : error.stack,
      );
      await withCaller({ label: 'telegram.dispatcher' }, () =>
        this.inbox.fail(update.updateId, `${error.name}: ${error.message}`, retryInMs),
      ).catch((e: unknown) =>
        this.logger.warn(`could not record failure of ${update.updateId}: ${(e as Error).message}`),
      );
      this.signals.record('telegram.update.failed');
      // Spent retries of an outside failure stayed silent so the retry could answer: say something once now.
      if (!retry && isTransient(error))
        await this.handler
          .giveUp(update.payload, update.chatId ?? null, error)
          .catch((e: unknown) =>
            this.logger.warn(
              `could not tell chat ${update.chatId} about update ${update.updateId}: ${(e as Error).message}`,
            ),
          );
    } finally {
      clearTimeout(timer);
      this.attempts++;
      this.inFlight.delete(update.updateId);
      this.wake();
    }
  }
}

const PAYMENT_RETRY_MAX_MS = 600_000;

export function isPaymentUpdate(update: Record<string, unknown>): boolean {
  const m = update.message as object | null | undefined;
  return typeof m === 'object' && m !== null && ('successful_payment' in m || 'refunded_payment' in m);
}

export function isTelegramOutage(err: Error): boolean {
  return err instanceof TelegramNetworkError || (err instanceof TelegramApiError && err.code >= 500);
}

export function isTransient(err: Error): boolean {
  if (err instanceof TransientUpdateError || err instanceof TelegramNetworkError) return true;
  if (err instanceof TelegramApiError) return err.code === 429 || err.code >= 500;
  return isTransientDbError(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
