import { Module } from '@nestjs/common';
import { TelegrafModule } from 'nestjs-telegraf';
import { AdminModule } from '../admin/admin.module';
import { BotApiModule } from '../bot-api/bot-api.module';
import { ClockModule } from '../clock/clock.module';
import { AppConfig } from '../config/app-config';
import { PaymentsModule } from '../payments/payments.module';
import { PromoModule } from '../promo/promo.module';
import { CryptoPayModule } from '../payments/providers/crypto-pay/crypto-pay.module';
import { StarsModule } from '../payments/providers/stars/stars.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { UsersModule } from '../users/users.module';
import { TrafficModule } from '../traffic/traffic.module';
import { VpnModule } from '../vpn/vpn.module';
import { AdminCommandsHandler } from './bot/admin/admin-commands.handler';
import { NodesHandler } from './bot/admin/nodes.handler';
import { TrafficHandler } from './bot/admin/traffic.handler';
import { AdminGateInterceptor } from './bot/admin/admin-gate.interceptor';
import { BroadcastHandler } from './bot/admin/broadcast.handler';
import { ChannelGateService } from './bot/channel-gate.service';
import { BalanceHandler } from './bot/handlers/balance.handler';
import { BotMiddleware } from './bot/handlers/bot-middleware';
import { BotMiddlewareModule } from './bot/handlers/bot-middleware.module';
import { FallbackHandler } from './bot/handlers/fallback.handler';
import { GiftHandler } from './bot/handlers/gift.handler';
import { PromoHandler } from './bot/handlers/promo.handler';
import { AdminPromoHandler } from './bot/admin/promo.handler';
import { MainMenu } from './bot/handlers/main-menu';
import { PlansHandler } from './bot/handlers/plans.handler';
import { ReferralsHandler } from './bot/handlers/referrals.handler';
import { StarsPaymentHandler } from './bot/handlers/stars-payment.handler';
import { StartHandler } from './bot/handlers/start.handler';
import { SubscriptionHandler } from './bot/handlers/subscription.handler';
import { DevicesHandler } from './bot/handlers/devices.handler';
import { TrialHandler } from './bot/handlers/trial.handler';
import { TelegrafUpdateHandler } from './bot/telegraf-update.handler';
import { TelegramTransportModule } from './transport/telegram-transport.module';

/** nestjs-telegraf builds the bot but never launches it (`launchOptions: false`): our transports feed it. */
@Module({
  imports: [
    TelegrafModule.forRootAsync({
      imports: [BotMiddlewareModule],
      inject: [AppConfig, BotMiddleware],
      useFactory: (config: AppConfig, middleware: BotMiddleware) => ({
        token: config.telegram.botToken,
        launchOptions: false,
        options: {
          telegram: { apiRoot: config.telegram.apiRoot, webhookReply: false },
          // Deadlines are the dispatcher's (with a real abort); telegraf's p-timeout cancels nothing.
          handlerTimeout: config.telegram.handlerTimeoutMs + 5_000,
        },
        middlewares: [middleware.errorBoundary(), middleware.userContext()],
      }),
    }),
    TelegramTransportModule.withHandler(TelegrafUpdateHandler),
    BotApiModule,
    ClockModule,
    UsersModule,
    SubscriptionsModule,
    PaymentsModule,
    CryptoPayModule,
    StarsModule,
    VpnModule,
    TrafficModule,
    AdminModule,
    PromoModule,
  ],
  // Order matters: handlers are registered in this order, and FallbackHandler must come last.
  providers: [
    ChannelGateService,
    MainMenu,
    StartHandler,
    TrialHandler,
    PlansHandler,
    StarsPaymentHandler,
    SubscriptionHandler,
    DevicesHandler,
    GiftHandler,
    PromoHandler,
    BalanceHandler,
    ReferralsHandler,
    AdminGateInterceptor,
    AdminCommandsHandler,
    NodesHandler,
    TrafficHandler,
    BroadcastHandler,
    AdminPromoHandler,
    FallbackHandler,
  ],
})
export class TelegramModule {}
