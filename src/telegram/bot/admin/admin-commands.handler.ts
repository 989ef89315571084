import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { MainMenu } from '../handlers/main-menu';
import { AppConfig } from '../../../config/app-config';
import { answer } from '../handlers/bot-context';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import {
  commandArgs,
  parseGrant,
  parsePurchaseId,
  parseRetry,
  parseTelegramId,
  parseUserRef,
} from './admin-args';
import { answerNonAdmin, callbackDataOf, editOrReply, replyAfterEffect, textOf } from './admin-replies';
import { AdminService } from '../../../admin/admin.service';
import {
  adminMenu,
  banView,
  cannotBlockAdmin,
  failedView,
  grantView,
  profileView,
  refundConfirmView,
  refundDoneView,
  refundNotPossible,
  retryView,
  statsView,
  USAGE,
  userNotFound,
} from './admin.view';

/**
 * Admin commands and their buttons (`adm:` callback data, except broadcasts). Arguments come with the
 * command, never from conversational state; bad arguments get the usage line and change nothing.
 */
@Update()
@UseFilters(RethrowToBoundary)
export class AdminCommandsHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly admin: AdminService,
    private readonly menu: MainMenu,
  ) {}

  /** The admin's id, or undefined after answering a non-admin as if the command did not exist. */
  private async adminOf(ctx: Context): Promise<number | undefined> {
    const id = ctx.from?.id;
    if (this.admin.isAdmin(id)) return id;
    await answerNonAdmin(ctx, this.menu);
    return undefined;
  }

  @Command('admin')
  async showMenu(@Ctx() ctx: Context): Promise<void> {
    if (!(await this.adminOf(ctx))) return;
    const m = adminMenu();
    await ctx.reply(m.text, { reply_markup: m.keyboard });
  }

  @Command('stats')
  async stats(@Ctx() ctx: Context): Promise<void> {
    if (!(await this.adminOf(ctx))) return;
    await ctx.reply(statsView(await this.admin.stats()));
  }

  @Command('find')
  async find(@Ctx() ctx: Context): Promise<void> {
    if (!(await this.adminOf(ctx))) return;
    const args = commandArgs(textOf(ctx));
    const ref = args.length === 1 ? parseUserRef(args[0]) : null;
    if (!ref) return void (await ctx.reply(USAGE.find));
    const found = await this.admin.findUser(ref);
    if (!found) return void (await ctx.reply(userNotFound(args[0])));
    await ctx.reply(profileView(found.profile, found.subscription, this.config.payments.balanceCurrency));
  }

  @Command('grant')
  async grant(@Ctx() ctx: Context): Promise<void> {
    const by = await this.adminOf(ctx);
    if (!by) return;
    const input = parseGrant(commandArgs(textOf(ctx)));
    if (!input) return void (await ctx.reply(USAGE.grant));
    const result = await this.admin.grant({ ...input, by, requestKey: `tg:${ctx.update.update_id}` });
    if (!result) return void (await ctx.reply(userNotFound(String(input.userId))));
    await replyAfterEffect(
      ctx,
      grantView({ ...input, issued: result.issued, expiresAt: result.subscription.expiresAt }),
    );
  }

  @Command('block')
  block(@Ctx() ctx: Context): Promise<void> {
    return this.setBlocked(ctx, true);
  }

  @Command('unblock')
  unblock(@Ctx() ctx: Context): Promise<void> {
    return this.setBlocked(ctx, false);
  }

  private async setBlocked(ctx: Context, blocked: boolean): Promise<void> {
    const by = await this.adminOf(ctx);
    if (!by) return;
    const args = commandArgs(textOf(ctx));
    const userId = args.length === 1 ? parseTelegramId(args[0]) : null;
    if (userId === null) return void (await ctx.reply(blocked ? USAGE.block : USAGE.unblock));
    const result = await this.admin.setBlocked({ userId, blocked, by });
    if (result === 'admin') return void (await ctx.reply(cannotBlockAdmin));
    if (!result) return void (await ctx.reply(userNotFound(String(userId))));
    await replyAfterEffect(ctx, banView(userId, blocked, result.changed));
  }

  @Command('failed')
  async failed(@Ctx() ctx: Context): Promise<void> {
    if (!(await this.adminOf(ctx))) return;
    const view = failedView(await this.admin.listFailed());
    await ctx.reply(view.text, view.keyboard ? { reply_markup: view.keyboard } : undefined);
  }

  @Command('retry')
  async retry(@Ctx() ctx: Context): Promise<void> {
    if (!(await this.adminOf(ctx))) return;
    const target = parseRetry(commandArgs(textOf(ctx)));
    if (!target) return void (await ctx.reply(USAGE.retry));
    await replyAfterEffect(ctx, retryView(await this.admin.retry(target)));
  }

  /** Shows the purchase with a confirmation button; nothing happens before the button is pressed. */
  @Command('refund')
  async refund(@Ctx() ctx: Context): Promise<void> {
    if (!(await this.adminOf(ctx))) return;
    const purchaseId = parsePurchaseId(commandArgs(textOf(ctx)));
    if (!purchaseId) return void (await ctx.reply(USAGE.refund));
    const preview = await this.admin.refundPreview(purchaseId);
    if (preview.kind === 'not_found') return void (await ctx.reply(`No purchase ${purchaseId}.`));
    if (preview.kind === 'not_refundable') return void (await ctx.reply(refundNotPossible(preview.purchase)));
    const view = refundConfirmView(preview.purchase);
    await ctx.reply(view.text, { reply_markup: view.keyboard });
  }

  @Action(/^adm:(?!bc:)/)
  async button(@Ctx() ctx: Context): Promise<void> {
    const by = await this.adminOf(ctx);
    if (!by) return;
    const data = callbackDataOf(ctx);
    if (data === 'adm:menu') {
      await answer(ctx);
      const m = adminMenu();
      return editOrReply(ctx, m.text, m.keyboard);
    }
    if (data === 'adm:stats') {
      await answer(ctx);
      return void (await ctx.reply(statsView(await this.admin.stats())));
    }
    if (data === 'adm:failed') {
      await answer(ctx);
      const view = failedView(await this.admin.listFailed());
      return void (await ctx.reply(view.text, view.keyboard ? { reply_markup: view.keyboard } : undefined));
    }
    const retry = /^adm:retry:(all|\d{1,18})$/.exec(data);
    if (retry) {
      const result = await this.admin.retry(retry[1] === 'all' ? { all: true } : { id: retry[1] });
      await answer(ctx, `Requeued ${result.requeued.length}`);
      return replyAfterEffect(ctx, retryView(result));
    }
    const refund = /^adm:rf:ok:([0-9a-f-]{36})$/.exec(data);
    if (refund) {
      // Answer first: a Stars refund calls Telegram and may take longer than the button's spinner should.
      await answer(ctx, 'Refunding…');
      const result = await this.admin.refund(refund[1], by);
      const text =
        result.kind === 'not_found'
          ? `No purchase ${refund[1]}.`
          : result.kind === 'not_refundable'
            ? refundNotPossible(result.purchase)
            : refundDoneView({
                purchaseId: refund[1],
                outcome: result.outcome,
                starsReturned: result.starsReturned,
                balanceAfter: result.balanceAfter,
                balanceCurrency: this.config.payments.balanceCurrency,
              });
      return editOrReply(ctx, text);
    }
    if (data === 'adm:rf:no') {
      await answer(ctx);
      return editOrReply(ctx, 'Refund cancelled; nothing changed.');
    }
    await answer(ctx, 'Unknown admin button.');
  }
}
