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

/**
 * The two middlewares that run before every handler (user and admin alike), installed through the
 * TelegrafModule `middlewares` option so their position does not depend on handler discovery order.
 */
@Injectable()
export class BotMiddleware {
  private readonly logger = new Logger('BotMiddleware');

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
  ) {}

  /**
   * Error boundary:
   * - an expected domain outcome (trial used, not enough balance, plan gone, provider down …) is answered
   *   with its own screen and the update completes: it is not a failure;
   * - a transient failure (Telegram/DB/network unavailable, the update's deadline) is rethrown without a
   *   reply: the dispatcher retries the update, and the retry gives the answer (a reply now would be doubled);
   * - anything else is a bug: the user gets a polite "something went wrong" and the error is rethrown, so the
   *   dispatcher logs it once (with its stack) and keeps the update as failed with its error;
   * - the user blocked the bot meanwhile: nothing to say, nothing to retry.
   * Every callback query is answered, even when no handler did (the spinner never hangs).
   */
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

  /**
   * Loads (or registers) the sender before any handler runs: an unknown user pressing an old button is
   * registered instead of crashing a handler, and a message from a user marked blocked clears the flag.
   */
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

  /** True when the error was an expected outcome the user has been told about (the update is done). */
  private async recover(ctx: Context, err: unknown): Promise<boolean> {
    if (err instanceof RecipientUnavailableError) return true;
    // Past the update's deadline whatever failed is retried by the dispatcher: no answer now, not even a
    // mapped one (a provider error caused by the abort is not "provider unavailable").
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

/**
 * Groups, supergroups and channels: user flows live in the private chat only, so nothing a handler would
 * post (balance, keys, payment buttons) ever reaches a chat others read. A command addressed to this bot
 * gets the link to the private chat, a button press a toast, anything else no answer.
 */
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

/** The referrer named by a first `/start ref_<id>` (also `/start <id>` from older links). */
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

/** "/grant@bot 5" → "grant"; undefined when the text is not a command. */
export function commandOf(text: string): string | undefined {
  return /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)/.exec(text)?.[1]?.toLowerCase();
}

/** Stars already taken (or given back) by Telegram: settled first even for a banned user, then the ban applies. */
function isPaymentSettlement(ctx: Context): boolean {
  const m = ctx.message as object | undefined;
  return Boolean(m && ('successful_payment' in m || 'refunded_payment' in m));
}
