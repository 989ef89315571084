import { Module } from '@nestjs/common';
import { BotApiClient } from './bot-api.client';
import { TelegramSenderService } from './telegram-sender.service';

/**
 * The one Bot API client and the rate-limited sender every outgoing call goes through. A leaf: payments
 * (Stars refunds), admin (broadcasts) and the telegram transports import it, it imports none of them.
 */
@Module({
  providers: [BotApiClient, TelegramSenderService],
  exports: [BotApiClient, TelegramSenderService],
})
export class BotApiModule {}
