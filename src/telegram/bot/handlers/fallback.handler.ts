import { UseFilters } from '@nestjs/common';
import { Ctx, On, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { MainMenu } from './main-menu';
import { answerUnknown } from './unknown-update';

@Update()
@UseFilters(RethrowToBoundary)
export class FallbackHandler {
  constructor(private readonly menu: MainMenu) {}

  @On('callback_query')
  async unknownButton(@Ctx() ctx: Context): Promise<void> {
    await answerUnknown(ctx, this.menu);
  }

  @On('message')
  async unknownMessage(@Ctx() ctx: Context): Promise<void> {
    await answerUnknown(ctx, this.menu);
  }
}
