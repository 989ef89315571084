import { Module } from '@nestjs/common';
import { ClockModule } from '../../../clock/clock.module';
import { UsersModule } from '../../../users/users.module';
import { BotMiddleware } from './bot-middleware';

/** Provides the middlewares to TelegrafModule.forRootAsync (its factory can only inject from its imports). */
@Module({ imports: [ClockModule, UsersModule], providers: [BotMiddleware], exports: [BotMiddleware] })
export class BotMiddlewareModule {}
