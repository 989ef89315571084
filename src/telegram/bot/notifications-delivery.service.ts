import { Injectable, Logger } from '@nestjs/common';
import { retryDelayMs } from '../../jobs/backoff';
import type { JobContext, JobResult } from '../../jobs/job.types';
import { NotificationsRepository, type DueNotification } from '../../notifications/notifications.repository';
import { TelegramApiError } from '../../bot-api/bot-api.errors';
import { RecipientUnavailableError, TelegramSenderService } from '../../bot-api/telegram-sender.service';
import { PaymentLatencyRepository } from './payment-latency.repository';
import { SignalsService } from '../../signals/signals.service';
import { VpnKeysService } from '../../vpn/vpn-keys.service';
import { notificationKeyboard, renderNotification } from './views/notification.view';

const BATCH = 50;
const PARALLEL = 5;
const MAX_ATTEMPTS = 8;
const LOCK_MS = 120_000;

/** Sent with no connection held: a crash between send and record repeats one message, loses none. */
@Injectable()
export class NotificationsDeliveryService {
  private readonly logger = new Logger('NotificationsDeliveryService');

  constructor(
    private readonly outbox: NotificationsRepository,
    private readonly sender: TelegramSenderService,
    private readonly keys: VpnKeysService,
    private readonly latency: PaymentLatencyRepository,
    private readonly signals: SignalsService,
  ) {}

  async deliver(ctx: JobContext): Promise<JobResult> {
    const result = { processed: 0, failed: 0 };
    for (;;) {
      if (ctx.signal.aborted) break;
      const due = await this.outbox.claim(BATCH, LOCK_MS);
      const queue = [...due];
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          for (let n = queue.shift(); n; n = queue.shift()) {
            const ok = await this.deliverOne(n, ctx.signal);
            if (ok) result.processed++;
            else result.failed++;
          }
        }),
      );
      ctx.progress();
      if (due.length < BATCH) break;
    }
    return result;
  }

  /**
   * Key-ready carries the current key, read before the send: one link per node the subscription is placed on
   * (the nodes "My subscription" lists); without one it points to the subscription.
   */
  private async withKey(n: DueNotification): Promise<DueNotification['payload']> {
    try {
      const key = await this.keys.noticeKeyForUser(n.userId);
      if (!key) return n.payload;
      return {
        ...n.payload,
        ...(key.link !== undefined ? { link: key.link } : {}),
        ...(key.links.length > 1 ? { links: key.links.map((l) => ({ label: l.label, link: l.link })) } : {}),
        subscriptionUrl: key.subscriptionUrl,
      };
    } catch (err) {
      this.logger.warn(`notification ${n.id}: key_ready without the link: ${(err as Error).message}`);
      return n.payload;
    }
  }

  /** payment_to_key_seconds: a measurement, so a failed read only costs the sample. */
  private async observePaymentToKey(n: DueNotification): Promise<void> {
    const subscriptionId = n.payload.subscriptionId;
    if (typeof subscriptionId !== 'string') return;
    const sample = await this.latency.sinceGrant(subscriptionId).catch(() => undefined);
    if (sample) this.signals.record('payment.key_delivered', { ...sample });
  }

  /** The "payment received" notice that waited for this key goes out in its message. */
  private async withPayment(n: DueNotification, payload: DueNotification['payload']) {
    const subscriptionId = n.payload.subscriptionId;
    if (typeof subscriptionId !== 'string') return payload;
    const [paid] = await this.outbox.takeForMerge(n.id, n.userId, subscriptionId);
    return paid ? { ...payload, paid } : payload;
  }

  private async deliverOne(n: DueNotification, signal: AbortSignal): Promise<boolean> {
    const payload = n.kind === 'key_ready' ? await this.withPayment(n, await this.withKey(n)) : n.payload;
    const text = renderNotification(n.kind, payload, n.language);
    if (text === undefined) {
      await this.outbox.markFailed(n.id, `no view for notification kind "${n.kind}"`, 'failed');
      this.logger.error(`notification ${n.id}: no view for kind "${n.kind}"`);
      return false;
    }
    try {
      const keyboard = notificationKeyboard(n.kind, n.language, {
        qr: payload.link !== undefined,
        giftId: typeof payload.giftId === 'string' ? payload.giftId : undefined,
      });
      const extra = {
        ...(keyboard ? { reply_markup: keyboard } : {}),
        ...(payload.link !== undefined ? { parse_mode: 'HTML' } : {}),
      };
      await this.sender.sendMessage(n.userId, text, extra, { signal, maxWaitMs: 30_000 });
      await this.outbox.markSent(n.id);
      if (n.kind === 'key_ready') await this.observePaymentToKey(n);
      return true;
    } catch (err) {
      const e = err as Error;
      if (err instanceof RecipientUnavailableError) {
        await this.outbox.markFailed(n.id, e.message, 'cancelled');
      } else if (err instanceof TelegramApiError && err.code === 400) {
        await this.outbox.markFailed(n.id, e.message, 'failed');
        this.logger.error(`notification ${n.id} (${n.kind}) refused by Telegram: ${e.message}`);
      } else if (n.attempts >= MAX_ATTEMPTS) {
        await this.outbox.markFailed(n.id, e.message, 'failed');
        this.logger.error(
          `notification ${n.id} (${n.kind}) gave up after ${n.attempts} attempts: ${e.message}`,
        );
      } else {
        await this.outbox.markFailed(n.id, e.message, {
          retryInMs: retryDelayMs(n.attempts + 1, { baseMs: 2_000, maxMs: 600_000 }),
        });
      }
      return false;
    }
  }
}
