import {
  Injectable,
  type DynamicModule,
  type Type,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { retryDelayMs } from '../jobs/backoff';
import { JobRunner } from '../jobs/job-runner.service';
import { NotificationsDelivery } from './notifications-delivery.service';
import { NotificationsRepository } from './notifications.repository';
import { PollingTransport } from './polling.transport';
import { TelegramApi } from './telegram-api.client';
import { TelegramInboxRepository } from './telegram-inbox.repository';
import { TelegramSender } from './telegram-sender.service';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { UpdateDispatcher } from './update-dispatcher.service';
import { UpdateHandler } from './update-handler';
import { WebhookTransport } from './webhook.transport';

/** Starts the transport TELEGRAM_MODE selects, after every handler is attached (bootstrap, not init). */
@Injectable()
export class TelegramTransports implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TelegramTransports');
  private readonly stop = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly polling: PollingTransport,
    private readonly webhook: WebhookTransport,
    private readonly inbox: TelegramInboxRepository,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'telegram-inbox-cleanup',
      intervalMs: 3_600_000,
      run: async (ctx) => {
        let deleted = 0;
        for (let n = -1; n !== 0 && !ctx.signal.aborted; deleted += n) {
          n = await this.inbox.cleanup(this.config.telegram.inboxRetentionHours);
          ctx.progress({ processed: n });
        }
        return {};
      },
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.telegram.mode === 'polling') this.polling.start();
    else void this.registerWebhook();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.polling.shutdown();
  }

  /** Retries setWebhook with backoff until it succeeds; the app stays up (and not ready) meanwhile. */
  private async registerWebhook(): Promise<void> {
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      try {
        await this.webhook.register(this.stop.signal);
        return;
      } catch (err) {
        const waitMs = retryDelayMs(attempt, { baseMs: 1_000, maxMs: 60_000 });
        this.logger.error(
          `setWebhook failed (attempt ${attempt}, retry in ${waitMs} ms): ${(err as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, waitMs).unref());
      }
    }
  }
}

/**
 * Telegram transports, inbox and dispatcher. The importing module provides the UpdateHandler that
 * processes each update (the bot's handlers; tests bind their own).
 */
@Module({
  controllers: [TelegramWebhookController],
  providers: [
    TelegramApi,
    TelegramInboxRepository,
    UpdateDispatcher,
    PollingTransport,
    WebhookTransport,
    TelegramTransports,
    TelegramSender,
    NotificationsRepository,
    NotificationsDelivery,
  ],
  exports: [
    TelegramApi,
    TelegramInboxRepository,
    UpdateDispatcher,
    PollingTransport,
    WebhookTransport,
    TelegramSender,
  ],
})
export class TelegramTransportModule {
  /** The module with `handler` bound as the UpdateHandler that processes each update. */
  static withHandler(handler: Type<UpdateHandler>): DynamicModule {
    return {
      module: TelegramTransportModule,
      providers: [handler, { provide: UpdateHandler, useExisting: handler }],
    };
  }
}
