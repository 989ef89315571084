import type { Context } from 'telegraf';
import type { ExtraEditMessageText } from 'telegraf/typings/telegram-types';
import { currentCaller } from '../../../database/caller-context';
import type { User } from '../../../users/user';
import { TelegramApiError } from '../../../bot-api/bot-api.errors';
import { texts, toLang, type Lang, type Screen } from '../views/i18n';

export interface BotState {
  user?: User;
  created?: boolean;
  cbAnswered?: boolean;
}

export const stateOf = (ctx: Context) => ctx.state as BotState;

export function userOf(ctx: Context): User {
  const user = stateOf(ctx).user;
  if (!user) throw new Error(`update ${ctx.update.update_id} has no user context`);
  return user;
}

export const langOf = (ctx: Context): Lang =>
  toLang(stateOf(ctx).user?.languageCode ?? ctx.from?.language_code);

export const signalOf = (): AbortSignal | undefined => currentCaller()?.signal;

export const matchOf = (ctx: Context): RegExpExecArray => (ctx as Context & { match: RegExpExecArray }).match;

/** A query too old to answer (replayed after a restart) is no error: the screen is still shown. */
export async function answer(ctx: Context, text?: string, alert = false): Promise<void> {
  if (!ctx.callbackQuery || stateOf(ctx).cbAnswered) return;
  try {
    await ctx.answerCbQuery(text, alert ? { show_alert: true } : undefined);
  } catch (err) {
    if (!(
      err instanceof TelegramApiError &&
      err.code === 400 &&
      /query is too old|query id is invalid/i.test(err.description)
    ))
      throw err;
  }
}

const UP_TO_DATE = texts('common.upToDate');

/** A press edits its message; anything else, or a message that cannot be edited, gets a new one. */
export async function show(
  ctx: Context,
  screen: Screen,
  o: { toast?: string; fresh?: boolean } = {},
): Promise<void> {
  const extra = {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    ...(screen.keyboard ? { reply_markup: { inline_keyboard: screen.keyboard } } : {}),
  } as ExtraEditMessageText;
  const msg = ctx.callbackQuery?.message;
  if (!o.fresh && msg && 'text' in msg) {
    // Answered after the edit: a press on the screen already shown says so instead of doing nothing visible.
    try {
      await ctx.editMessageText(screen.text, extra);
      await answer(ctx, o.toast);
      return;
    } catch (err) {
      if (!(err instanceof TelegramApiError) || err.code !== 400) throw err;
      if (/not modified/i.test(err.description)) return answer(ctx, o.toast ?? UP_TO_DATE[langOf(ctx)]);
    }
  }
  await answer(ctx, o.toast);
  if (ctx.chat) await ctx.reply(screen.text, extra);
}
