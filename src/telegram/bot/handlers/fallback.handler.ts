import { UseFilters } from '@nestjs/common';
import { Ctx, Next, On, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { ADMIN_CALLBACK_PREFIX, ADMIN_COMMANDS } from '../views/callback-data';
import { staleButton, unknownCommand, unknownText } from '../views/menu.view';
import { answer, langOf, show } from './bot-context';
import { commandOf } from './bot-middleware';
import { MainMenu } from './main-menu';

/**
 * The catch-all, registered after the other user handlers: a button nobody handled (stale menus, removed
 * plans, forged data) gets a short answer and a fresh menu; unknown commands and text get the menu too.
 * Admin buttons (`adm:`) and admin commands are passed on with next(), so src/admin works whichever order
 * nestjs-telegraf registers the two modules in.
 */
@Update()
@UseFilters(RethrowToBoundary)
export class FallbackHandler {
  constructor(private readonly menu: MainMenu) {}

  @On('callback_query')
  async unknownButton(@Ctx() ctx: Context, @Next() next: () => Promise<void>): Promise<void> {
    const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
    if (data?.startsWith(ADMIN_CALLBACK_PREFIX)) return next();
    const lang = langOf(ctx);
    await answer(ctx, staleButton[lang]);
    await show(ctx, await this.menu.screen(ctx), { fresh: true });
  }

  @On('message')
  async unknownMessage(@Ctx() ctx: Context, @Next() next: () => Promise<void>): Promise<void> {
    const message = ctx.message as { text?: string; reply_to_message?: unknown };
    const command = commandOf(message.text?.trim() ?? '');
    if (command && ADMIN_COMMANDS.has(command)) return next();
    if (!ctx.from || ctx.chat?.type !== 'private') return;
    const lang = langOf(ctx);
    const menu = await this.menu.screen(ctx);
    const prefix = command ? unknownCommand[lang] : unknownText[lang];
    await show(ctx, { ...menu, text: `${prefix}\n\n${menu.text}` });
  }
}
