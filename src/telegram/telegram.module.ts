import { Module } from '@nestjs/common';
import { TelegrafModule } from 'nestjs-telegraf';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { StartHandler } from './handlers/start.handler';
import { TelegrafUpdateHandler } from './telegraf-update.handler';
import { TelegramTransportModule } from './telegram-transport.module';

/**
 * The bot: nestjs-telegraf discovers the handlers (@Update classes) and builds the Telegraf instance, but
 * never launches it (`launchOptions: false`); TelegramTransportModule fetches updates into the inbox and
 * the dispatcher feeds them to telegraf through TelegrafUpdateHandler.
 */
@Module({
  imports: [
    TelegrafModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        token: config.telegram.botToken,
        launchOptions: false,
        options: {
          telegram: { apiRoot: config.telegram.apiRoot, webhookReply: false },
          // Deadlines are the dispatcher's (with a real abort); telegraf's p-timeout cancels nothing.
          handlerTimeout: config.telegram.handlerTimeoutMs + 5_000,
        },
      }),
    }),
    TelegramTransportModule.withHandler(TelegrafUpdateHandler),
    UsersModule,
  ],
  providers: [StartHandler],
  // The admin module (src/admin) sends broadcasts through this app's one TelegramSender.
  exports: [TelegramTransportModule],
})
export class TelegramModule {}
