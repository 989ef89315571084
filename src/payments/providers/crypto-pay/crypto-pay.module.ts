import { Module } from '@nestjs/common';
import { ClockModule } from '../../../clock/clock.module';
import { AppConfig } from '../../../config/app-config';
import { SubscriptionsModule } from '../../../subscriptions/subscriptions.module';
import { PaymentsModule } from '../../payments.module';
import { CryptoPaySettlementService } from './crypto-pay-settlement.service';
import { CryptoPayWatcherJob } from './crypto-pay-watcher.job';
import { CryptoPayWatcherService } from './crypto-pay-watcher.service';
import { CryptoPayWebhookController } from './crypto-pay-webhook.controller';
import { CryptoPayWebhookService } from './crypto-pay-webhook.service';
import { CryptoPayClient } from './crypto-pay.client';
import { CryptoPayRepository } from './crypto-pay.repository';
import { CryptoPayService } from './crypto-pay.service';
import { RateLimitModule } from '../../../http/rate-limit.module';

@Module({
  imports: [ClockModule, PaymentsModule, SubscriptionsModule, RateLimitModule],
  controllers: [CryptoPayWebhookController],
  providers: [
    {
      provide: CryptoPayClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const c = config.cryptoPay;
        // While open, the breaker skips about one watcher tick before trying again.
        return new CryptoPayClient({
          apiRoot: c.apiRoot,
          token: c.token ?? '',
          timeoutMs: c.timeoutMs,
          halfOpenAfterMs: c.watchIntervalMs,
        });
      },
    },
    CryptoPayRepository,
    CryptoPaySettlementService,
    CryptoPayService,
    CryptoPayWebhookService,
    CryptoPayWatcherService,
    CryptoPayWatcherJob,
  ],
  exports: [CryptoPayService, CryptoPayClient],
})
export class CryptoPayModule {}
