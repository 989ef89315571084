import { Module, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';

export type RateLimitName = 'sub' | 'health' | 'paymentWebhook';

const RATE_LIMIT = Symbol('rate-limit');

/** Routes without it are never limited; the webhook authenticates first, and Telegram retries refusals. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT, name);

const routeLimit = (ctx: ExecutionContext): RateLimitName | undefined =>
  (Reflect.getMetadata(RATE_LIMIT, ctx.getHandler()) ?? Reflect.getMetadata(RATE_LIMIT, ctx.getClass())) as
    RateLimitName | undefined;

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const { windowMs, ...limits } = config.http.rateLimit;
        const throttlers: ThrottlerOptions[] = (Object.keys(limits) as RateLimitName[]).map((name) => ({
          name,
          ttl: windowMs,
          limit: limits[name],
          skipIf: (ctx) => limits[name] === 0 || routeLimit(ctx) !== name,
        }));
        return { throttlers, errorMessage: 'too many requests from this address; retry later' };
      },
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
