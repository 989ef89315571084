import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SignalsService } from '../../signals/signals.service';
import { BotApiClient } from '../../bot-api/bot-api.client';
import { ALLOWED_UPDATES } from './polling.transport';

interface WebhookInfo {
  url: string;
  pending_update_count: number;
  last_error_date?: number;
  last_error_message?: string;
}

/** Never deleted on shutdown: Telegram holds updates while no instance answers (docs/architecture.md). */
@Injectable()
export class WebhookTransport {
  private readonly logger = new Logger('WebhookTransport');
  private info?: WebhookInfo;

  constructor(
    private readonly config: AppConfig,
    private readonly api: BotApiClient,
    private readonly signals: SignalsService,
  ) {}

  async register(signal?: AbortSignal): Promise<WebhookInfo> {
    const t = this.config.telegram;
    await this.api.call(
      'setWebhook',
      {
        url: t.webhookUrl,
        secret_token: t.webhookSecret,
        allowed_updates: ALLOWED_UPDATES,
        max_connections: t.webhookMaxConnections,
        drop_pending_updates: false,
      },
      { signal },
    );
    const info = await this.api.call<WebhookInfo>('getWebhookInfo', {}, { signal });
    this.info = info;
    if (info.url !== t.webhookUrl) {
      throw new Error(
        `webhook verification failed: Telegram reports url "${info.url}", expected "${t.webhookUrl}"`,
      );
    }
    this.signals.record('telegram.webhook.registered');
    this.logger.log(
      `webhook registered at ${info.url}; ${info.pending_update_count} pending` +
        (info.last_error_message ? `; last error: ${info.last_error_message}` : ''),
    );
    return info;
  }

  lastInfo(): WebhookInfo | undefined {
    return this.info;
  }
}
