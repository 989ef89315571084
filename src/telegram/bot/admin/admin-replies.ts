import { Logger } from '@nestjs/common';
import type { Context } from 'telegraf';
import { answer, langOf, show, stateOf } from '../handlers/bot-context';
import type { MainMenu } from '../handlers/main-menu';
import { TelegramApiError } from '../../../bot-api/bot-api.errors';
import { accessRestricted, staleButton, unknownCommand } from '../views/menu.view';

const logger = new Logger('AdminHandlers');

export type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

export const textOf = (ctx: Context): string =>
  ctx.message && 'text' in ctx.message ? ctx.message.text : '';

export const callbackDataOf = (ctx: Context): string =>
  ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';

/**
 * A non-admin used an admin command or button. The user handlers pass those on to src/admin, so the answer
 * is given here — and it is exactly the fallback's answer to any unknown command or stale button (or the
 * user middleware's "access restricted" for a user an admin blocked): nothing reveals that admin commands
 * exist. Keep in step with telegram/handlers/fallback.handler.ts (a test compares the two answers).
 */
export async function answerNonAdmin(ctx: Context, menu: MainMenu): Promise<void> {
  const lang = langOf(ctx);
  if (stateOf(ctx).user?.isBanned) {
    if (ctx.callbackQuery) await answer(ctx, accessRestricted[lang], true);
    else if (ctx.chat) await ctx.reply(accessRestricted[lang]);
    return;
  }
  if (!ctx.from || ctx.chat?.type !== 'private') return;
  if (ctx.callbackQuery) {
    await answer(ctx, staleButton[lang]);
    await show(ctx, await menu.screen(ctx), { fresh: true });
    return;
  }
  const screen = await menu.screen(ctx);
  await show(ctx, { ...screen, text: `${unknownCommand[lang]}\n\n${screen.text}` });
}

/**
 * Replies after an effect was committed. A failed reply must not fail the update: the dispatcher would
 * retry it and repeat the effect (a second grant), so the failure is only logged.
 */
export async function replyAfterEffect(ctx: Context, text: string, keyboard?: Keyboard): Promise<void> {
  try {
    await ctx.reply(text, keyboard ? { reply_markup: keyboard } : undefined);
  } catch (err) {
    logger.warn(`admin reply after a committed change not delivered: ${(err as Error).message}`);
  }
}

/** Edits the message of the pressed button (falls back to a new message when it cannot be edited). */
export async function editOrReply(ctx: Context, text: string, keyboard?: Keyboard): Promise<void> {
  try {
    await ctx.editMessageText(text, { reply_markup: keyboard ?? { inline_keyboard: [] } });
  } catch (err) {
    if (!(err instanceof TelegramApiError) || err.code !== 400) throw err;
    if (!/not modified/i.test(err.description)) await replyAfterEffect(ctx, text, keyboard);
  }
}
