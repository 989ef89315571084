import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { withCaller } from '../database/caller-context';
import { JOB_NAMES } from '../jobs/job-schedules';
import { JobRunnerService } from '../jobs/job-runner.service';
import type { JobContext } from '../jobs/job.types';
import { TelegramApiError } from '../bot-api/bot-api.errors';
import { RecipientUnavailableError, TelegramSenderService } from '../bot-api/telegram-sender.service';
import { broadcastView } from '../telegram/bot/admin/admin.view';
import { BroadcastsRepository, type Broadcast } from './broadcasts.repository';

const PAGE = 100;
/** The admin's progress message is edited every this many recipients (or every BROADCAST_INTERVAL_MS). */
const PROGRESS_EVERY = 50;
const SEND_ATTEMPTS = 3;
const SEND_DEADLINE_MS = 20_000;
const PERSIST_DEADLINE_MS = 5_000;

type SendOutcome = 'sent' | 'failed' | 'interrupted';

/** Cursor and counts are written per recipient: a restart skips no one (at most one message repeats). */
@Injectable()
export class BroadcastDeliveryService {
  private readonly logger = new Logger('BroadcastDeliveryService');

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobRunnerService,
    private readonly repo: BroadcastsRepository,
    private readonly sender: TelegramSenderService,
  ) {}

  async deliver(ctx: JobContext): Promise<void> {
    for (const b of await this.repo.listRunning()) {
      if (ctx.signal.aborted) break;
      await this.run(b, ctx);
    }
  }

  private async run(b: Broadcast, ctx: JobContext): Promise<void> {
    const current = { ...b };
    let reportedAt = performance.now();
    let sinceReport = 0;
    for (;;) {
      if (ctx.signal.aborted) return this.report(current, ctx.signal);
      const page = await this.repo.recipients(b.audience, current.cursor, PAGE);
      if (page.length === 0) {
        const done = await this.repo.finish(b.id);
        if (done) {
          this.logger.log(`broadcast ${b.id} done: sent=${done.sent} failed=${done.failed}`);
          await this.report(done, ctx.signal);
        }
        return;
      }
      for (const userId of page) {
        if (ctx.signal.aborted) return this.report(current, ctx.signal);
        const outcome = await this.sendOne(userId, b.text, ctx.signal);
        if (outcome === 'interrupted') return this.report(current, ctx.signal);
        const sent = outcome === 'sent' ? 1 : 0;
        const status = await this.persist({ id: b.id, cursor: userId, sent, failed: 1 - sent });
        current.cursor = userId;
        current.sent += sent;
        current.failed += 1 - sent;
        ctx.progress({ processed: sent, failed: 1 - sent });
        if (status !== 'running') {
          this.logger.log(`broadcast ${b.id} ${status} after ${current.sent + current.failed} recipients`);
          return this.report({ ...current, status }, ctx.signal);
        }
        sinceReport++;
        if (
          sinceReport >= PROGRESS_EVERY ||
          performance.now() - reportedAt >= this.config.bot.broadcastIntervalMs
        ) {
          await this.report(current, ctx.signal);
          sinceReport = 0;
          reportedAt = performance.now();
        }
      }
    }
  }

  /** The abort is checked between attempts: a send cut off mid-request could not be recorded. */
  private async sendOne(userId: number, text: string, stop: AbortSignal): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sender.sendMessage(
          userId,
          text,
          { link_preview_options: { is_disabled: true } },
          { signal: AbortSignal.timeout(SEND_DEADLINE_MS), maxWaitMs: SEND_DEADLINE_MS / 2 },
        );
        return 'sent';
      } catch (err) {
        if (err instanceof RecipientUnavailableError) return 'failed';
        const transient = !(err instanceof TelegramApiError) || err.code === 429 || err.code >= 500;
        if (!transient || attempt >= SEND_ATTEMPTS) {
          this.logger.warn(`broadcast message to ${userId} failed: ${(err as Error).message}`);
          return 'failed';
        }
        if (stop.aborted) return 'interrupted';
        await new Promise((r) => setTimeout(r, 1_000 * attempt));
        if (stop.aborted) return 'interrupted';
      }
    }
  }

  /** Written even after the abort (the message went out, the cursor must pass it); own deadline. */
  private persist(a: { id: string; cursor: number; sent: number; failed: number }) {
    return withCaller(
      {
        label: `job.${JOB_NAMES.broadcastDelivery}`,
        budget: this.jobs.budget,
        signal: AbortSignal.timeout(PERSIST_DEADLINE_MS),
      },
      () => this.repo.advance(a),
    );
  }

  private async report(b: Broadcast, stop: AbortSignal): Promise<void> {
    if (b.progressChatId === null || b.progressMessageId === null) return;
    const view = broadcastView(b);
    try {
      await this.sender.send(
        'editMessageText',
        {
          chat_id: b.progressChatId,
          message_id: b.progressMessageId,
          text: view.text,
          reply_markup: view.keyboard ?? { inline_keyboard: [] },
        },
        // After the job's abort only a short last word: the runner gives an aborted iteration 2 s.
        {
          signal: AbortSignal.timeout(stop.aborted ? 1_500 : SEND_DEADLINE_MS),
          maxWaitMs: stop.aborted ? 1_000 : 5_000,
        },
      );
    } catch (err) {
      if (!(err instanceof TelegramApiError && /not modified/i.test(err.description)))
        this.logger.debug(`progress of broadcast ${b.id} not shown: ${(err as Error).message}`);
    }
  }
}
