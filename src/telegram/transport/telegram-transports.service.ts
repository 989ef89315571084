import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { retryDelayMs } from '../../jobs/backoff';
import { PollingTransport } from './polling.transport';
import { WebhookTransport } from './webhook.transport';

@Injectable()
export class TelegramTransportsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TelegramTransportsService');
  private readonly stop = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly polling: PollingTransport,
    private readonly webhook: WebhookTransport,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.telegram.mode === 'polling') this.polling.start();
    else void this.registerWebhook();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.polling.shutdown();
  }

  /** The app stays up (and not ready) until setWebhook succeeds. */
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
