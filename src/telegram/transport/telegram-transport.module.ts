import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NotificationsDeliveryService } from '../bot/notifications-delivery.service';
import { NotificationsRepository } from '../notifications.repository';
import { PollingTransport } from './polling.transport';
import { BotApiClient } from '../../bot-api/bot-api.client';
import { TelegramInboxRepository } from './telegram-inbox.repository';
import { TelegramSenderService } from './telegram-sender.service';
import { TelegramSignals } from './telegram-signals';
import { TelegramTransportsService } from './telegram-transports.service';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { UpdateDispatcherService } from './update-dispatcher.service';
import { UpdateHandler } from './update-handler';
import { WebhookTransport } from './webhook.transport';

/**
 * Telegram transports, inbox and dispatcher. The importing module provides the UpdateHandler that
 * processes each update (the bot's handlers; tests bind their own).
 */
@Module({
  controllers: [TelegramWebhookController],
  providers: [
    BotApiClient,
    TelegramInboxRepository,
    UpdateDispatcherService,
    PollingTransport,
    WebhookTransport,
    TelegramTransportsService,
    TelegramSenderService,
    TelegramSignals,
    NotificationsRepository,
    NotificationsDeliveryService,
  ],
  exports: [
    BotApiClient,
    TelegramInboxRepository,
    UpdateDispatcherService,
    PollingTransport,
    WebhookTransport,
    TelegramSenderService,
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
