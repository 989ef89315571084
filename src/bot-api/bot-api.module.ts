import { Module } from '@nestjs/common';
import { BotApiClient } from './bot-api.client';
import { TelegramSenderService } from './telegram-sender.service';

@Module({
  providers: [BotApiClient, TelegramSenderService],
  exports: [BotApiClient, TelegramSenderService],
})
export class BotApiModule {}
