import { Logger } from '@nestjs/common';
import type { Context } from 'telegraf';
import { TelegramApiError } from '../../../bot-api/bot-api.errors';

const logger = new Logger('AdminHandlers');

export type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

export const textOf = (ctx: Context): string =>
  ctx.message && 'text' in ctx.message ? ctx.message.text : '';

export const adminIdOf = (ctx: Context): number => ctx.from!.id;

/** A failed reply must not fail the update: a retry would repeat the committed effect (a second grant). */
export async function replyAfterEffect(ctx: Context, text: string, keyboard?: Keyboard): Promise<void> {
  try {
    await ctx.reply(text, keyboard ? { reply_markup: keyboard } : undefined);
  } catch (err) {
    logger.warn(`admin reply after a committed change not delivered: ${(err as Error).message}`);
  }
}

export async function editOrReply(ctx: Context, text: string, keyboard?: Keyboard): Promise<void> {
  try {
    await ctx.editMessageText(text, { reply_markup: keyboard ?? { inline_keyboard: [] } });
  } catch (err) {
    if (!(err instanceof TelegramApiError) || err.code !== 400) throw err;
    if (!/not modified/i.test(err.description)) await replyAfterEffect(ctx, text, keyboard);
  }
}
