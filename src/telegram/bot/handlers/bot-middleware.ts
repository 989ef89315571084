import { Injectable, Logger } from '@nestjs/common';
import type { Context, MiddlewareFn } from 'telegraf';
import { Clock } from '../../../clock/clock';
import { AppConfig } from '../../../config/app-config';
import { UsersRepository } from '../../../users/users.repository';
import { UsersService } from '../../../users/users.service';
import { RecipientUnavailableError } from '../../../bot-api/telegram-sender.service';
import { isTransient } from '../../transport/update-dispatcher.service';
import { ADMIN_CALLBACK_PREFIX, ADMIN_COMMANDS } from '../views/callback-data';
import { toLang } from '../views/i18n';
import {
  accessRestricted,
  apologyMessage,
  privateChatOnly,
  privateChatOnlyToast,
  somethingWentWrong,
} from '../views/menu.view';
import { answer, langOf, show, signalOf, stateOf } from './bot-context';
import { userFacing } from './user-facing-errors';

const TOUCH_EVERY_MS = 60_000;

/** Installed as TelegrafModule `middlewares`: their place does not depend on discovery order. */
@Injectable()
export class BotMiddleware {
  private readonly logger = new Logger('BotMiddleware');

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
  ) {}

  /** Transient failures are rethrown without a reply: the dispatcher's retry answers (no double reply). */
  errorBoundary(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      if (ctx.callbackQuery) {
        const original = ctx.answerCbQuery.bind(ctx);
        ctx.answerCbQuery = (...args: Parameters<Context['answerCbQuery']>) => {
          stateOf(ctx).cbAnswered = true;
          return original(...args);
        };
      }
      try {
        await next();
      } catch (err) {
        if (!(await this.recover(ctx, err))) throw err;
      }
      if (ctx.callbackQuery && !stateOf(ctx).cbAnswered) await ctx.answerCbQuery().catch(() => undefined);
    };
  }

  userContext(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      if (!ctx.myChatMember && ctx.chat && ctx.chat.type !== 'private') return outsidePrivateChat(ctx);
      const from = ctx.from;
      // my_chat_member reports a block/unblock: the chat-member handler decides, not a generic touch.
      if (!from || from.is_bot || ctx.myChatMember) return next();
      const state = stateOf(ctx);
      let user = await this.usersRepository.findById(from.id);
      if (!user) {
        ({ user } = await this.users.upsertFromTelegram({
          telegramId: from.id,
          username: from.username,
          firstName: from.first_name,
          languageCode: from.language_code,
          referrerId: referrerFromStart(ctx),
        }));
        state.created = true;
      } else if (
        user.blockedAt ||
        !user.lastSeenAt ||
        this.clock.now().getTime() - user.lastSeenAt.getTime() > TOUCH_EVERY_MS
      ) {
        await this.users.touch(from.id);
        user = { ...user, blockedAt: null };
      }
      state.user = user;
      if (
        user.isBanned &&
        !this.config.bot.adminIds.has(user.id) &&
        !isAdminUpdate(ctx) &&
        !isPaymentSettlement(ctx)
      ) {
        if (ctx.callbackQuery) await ctx.answerCbQuery(accessRestricted[langOf(ctx)], { show_alert: true });
        else if (ctx.preCheckoutQuery) await ctx.answerPreCheckoutQuery(false, accessRestricted[langOf(ctx)]);
        else if (ctx.chat) await ctx.reply(accessRestricted[langOf(ctx)]);
        return;
      }
      return next();
    };
  }

  private async recover(ctx: Context, err: unknown): Promise<boolean> {
    if (err instanceof RecipientUnavailableError) return true;
    // Past the update's deadline the dispatcher retries: no answer now, not even a mapped one.
    if (signalOf()?.aborted) return false;
    const lang = langOf(ctx);
    const mapped = userFacing(err, {
      user: stateOf(ctx).user,
      currency: this.config.payments.balanceCurrency,
      lang,
    });
    if (mapped) {
      if (mapped.log)
        this.logger[mapped.log](
          `update ${ctx.update.update_id}: ${(err as Error).name}: ${(err as Error).message}`,
        );
      if ('alert' in mapped) {
        if (ctx.preCheckoutQuery) await ctx.answerPreCheckoutQuery(false, mapped.alert);
        else if (ctx.callbackQuery) await answer(ctx, mapped.alert, true);
        else if (ctx.chat) await ctx.reply(mapped.alert);
      } else if (ctx.preCheckoutQuery)
        await ctx.answerPreCheckoutQuery(false, mapped.toast ?? somethingWentWrong[lang]);
      else await show(ctx, mapped.screen, { toast: mapped.toast, fresh: true });
      return true;
    }
    if (err instanceof Error && isTransient(err)) return false;
    // A bug: apologise (best effort, a failing apology must not hide the original error), then rethrow.
    try {
      if (ctx.preCheckoutQuery) await ctx.answerPreCheckoutQuery(false, somethingWentWrong[lang]);
      else if (ctx.callbackQuery && !stateOf(ctx).cbAnswered)
        await ctx.answerCbQuery(somethingWentWrong[lang], { show_alert: true });
      else if (ctx.chat) {
        const apology = apologyMessage(lang);
        await ctx.reply(apology.text, apology.extra);
      }
    } catch {
      // The dispatcher logs the original error; this one adds nothing.
    }
    return false;
  }
}

/** User flows live in the private chat: balances, keys and payment buttons never reach a group. */
async function outsidePrivateChat(ctx: Context): Promise<void> {
  const lang = toLang(ctx.from?.language_code);
  if (ctx.callbackQuery) {
    await ctx.answerCbQuery(privateChatOnlyToast[lang]);
    return;
  }
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  const mention = /^\/[A-Za-z0-9_]{1,32}@(\w+)/.exec(text)?.[1];
  const username = ctx.botInfo.username;
  if (!commandOf(text) || (mention && mention.toLowerCase() !== username.toLowerCase())) return;
  await ctx.reply(privateChatOnly(lang, username), { link_preview_options: { is_disabled: true } });
}

export function referrerFromStart(ctx: Context): number | null {
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  const m = /^\/start(?:@\w+)?\s+ref_?(\d{1,15})$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** Admin buttons and commands: the admin gate answers anyone not in ADMIN_IDS (a blocked user too). */
function isAdminUpdate(ctx: Context): boolean {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  if (data?.startsWith(ADMIN_CALLBACK_PREFIX)) return true;
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  return ADMIN_COMMANDS.has(commandOf(text) ?? '');
}

export function commandOf(text: string): string | undefined {
  return /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)/.exec(text)?.[1]?.toLowerCase();
}

/** Stars Telegram already moved are settled first, even for a banned user; then the ban applies. */
function isPaymentSettlement(ctx: Context): boolean {
  const m = ctx.message as object | undefined;
  return Boolean(m && ('successful_payment' in m || 'refunded_payment' in m));
}
