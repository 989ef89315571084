import type { Context } from 'telegraf';
import { accessRestricted, staleButton, unknownCommand, unknownText } from '../views/menu.view';
import { answer, langOf, show, stateOf } from './bot-context';
import { commandOf } from './bot-middleware';
import type { MainMenu } from './main-menu';

/** A non-admin's admin command gets this too, so nothing reveals that admin commands exist. */
export async function answerUnknown(ctx: Context, menu: MainMenu): Promise<void> {
  const lang = langOf(ctx);
  if (stateOf(ctx).user?.isBanned) {
    if (ctx.callbackQuery) await answer(ctx, accessRestricted[lang], true);
    else if (ctx.chat) await ctx.reply(accessRestricted[lang]);
    return;
  }
  if (ctx.callbackQuery) {
    await answer(ctx, staleButton[lang]);
    await show(ctx, await menu.screen(ctx), { fresh: true });
    return;
  }
  if (!ctx.from || ctx.chat?.type !== 'private') return;
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  const screen = await menu.screen(ctx);
  const prefix = commandOf(text.trim()) ? unknownCommand[lang] : unknownText[lang];
  await show(ctx, { ...screen, text: `${prefix}\n\n${screen.text}` });
}
