import { Module, type DynamicModule, type OnModuleInit, type Type } from '@nestjs/common';
import { BotApiModule } from '../../bot-api/bot-api.module';
import { TelegramSenderService } from '../../bot-api/telegram-sender.service';
import { NotificationsModule } from '../../notifications/notifications.module';
import { UsersModule } from '../../users/users.module';
import { UsersService } from '../../users/users.service';
import { VpnModule } from '../../vpn/vpn.module';
import { NotificationsDeliveryJob } from '../bot/notifications-delivery.job';
import { NotificationsDeliveryService } from '../bot/notifications-delivery.service';
import { PaymentLatencyRepository } from '../bot/payment-latency.repository';
import { PollingTransport } from './polling.transport';
import { TelegramInboxCleanupJob } from './telegram-inbox-cleanup.job';
import { TelegramInboxRepository } from './telegram-inbox.repository';
import { TelegramSignals } from './telegram-signals';
import { TelegramTransportsService } from './telegram-transports.service';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { UpdateDispatcherService } from './update-dispatcher.service';
import { UpdateHandler } from './update-handler';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookTransport } from './webhook.transport';

/** The importing module binds the UpdateHandler (the bot's handlers; tests bind their own). */
@Module({
  imports: [BotApiModule, UsersModule, NotificationsModule, VpnModule],
  controllers: [TelegramWebhookController],
  providers: [
    TelegramInboxRepository,
    TelegramInboxCleanupJob,
    UpdateDispatcherService,
    PollingTransport,
    WebhookTransport,
    WebhookIntakeService,
    TelegramTransportsService,
    TelegramSignals,
    NotificationsDeliveryService,
    NotificationsDeliveryJob,
    PaymentLatencyRepository,
  ],
  exports: [
    BotApiModule,
    TelegramInboxRepository,
    UpdateDispatcherService,
    PollingTransport,
    WebhookTransport,
  ],
})
export class TelegramTransportModule implements OnModuleInit {
  constructor(
    private readonly sender: TelegramSenderService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.sender.onRecipientUnavailable((chatId) => this.users.markBlocked(chatId));
  }

  static withHandler(handler: Type<UpdateHandler>): DynamicModule {
    return {
      module: TelegramTransportModule,
      providers: [handler, { provide: UpdateHandler, useExisting: handler }],
    };
  }
}
