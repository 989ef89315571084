import { UseFilters, UseInterceptors } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { AppConfig } from '../../../config/app-config';
import { answer, matchOf } from '../handlers/bot-context';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import {
  commandArgs,
  parseGrant,
  parsePurchaseId,
  parseRetry,
  parseTelegramId,
  parseUserRef,
} from './admin-args';
import { AdminGateInterceptor } from './admin-gate.interceptor';
import { adminIdOf, editOrReply, replyAfterEffect, textOf } from './admin-replies';
import { AdminService } from '../../../admin/admin.service';
import {
  adminMenu,
  banView,
  cannotBlockAdmin,
  failedView,
  grantView,
  profileView,
  purchaseNotFound,
  refundCancelled,
  refundConfirmView,
  refundDoneView,
  refundingToast,
  refundNotPossible,
  requeuedToast,
  retryView,
  statsView,
  unknownAdminButton,
  USAGE,
  userNotFound,
} from './admin.view';

@Update()
@UseFilters(RethrowToBoundary)
@UseInterceptors(AdminGateInterceptor)
export class AdminCommandsHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly admin: AdminService,
  ) {}

  @Command('admin')
  async showMenu(@Ctx() ctx: Context): Promise<void> {
    const m = adminMenu();
    await ctx.reply(m.text, { reply_markup: m.keyboard });
  }

  @Command('stats')
  async stats(@Ctx() ctx: Context): Promise<void> {
    await ctx.reply(statsView(await this.admin.stats()));
  }

  @Command('find')
  async find(@Ctx() ctx: Context): Promise<void> {
    const args = commandArgs(textOf(ctx));
    const ref = args.length === 1 ? parseUserRef(args[0]) : null;
    if (!ref) return void (await ctx.reply(USAGE.find));
    const found = await this.admin.findUser(ref);
    if (!found) return void (await ctx.reply(userNotFound(args[0])));
    await ctx.reply(profileView(found.profile, found.subscription, this.config.payments.balanceCurrency));
  }

  @Command('grant')
  async grant(@Ctx() ctx: Context): Promise<void> {
    const input = parseGrant(commandArgs(textOf(ctx)));
    if (!input) return void (await ctx.reply(USAGE.grant));
    const result = await this.admin.grant({
      ...input,
      by: adminIdOf(ctx),
      requestKey: `tg:${ctx.update.update_id}`,
    });
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
    const args = commandArgs(textOf(ctx));
    const userId = args.length === 1 ? parseTelegramId(args[0]) : null;
    if (userId === null) return void (await ctx.reply(blocked ? USAGE.block : USAGE.unblock));
    const result = await this.admin.setBlocked({ userId, blocked, by: adminIdOf(ctx) });
    if (result === 'admin') return void (await ctx.reply(cannotBlockAdmin()));
    if (!result) return void (await ctx.reply(userNotFound(String(userId))));
    await replyAfterEffect(ctx, banView(userId, blocked, result.changed));
  }

  @Command('failed')
  async failed(@Ctx() ctx: Context): Promise<void> {
    const view = failedView(await this.admin.listFailed());
    await ctx.reply(view.text, view.keyboard ? { reply_markup: view.keyboard } : undefined);
  }

  @Command('retry')
  async retry(@Ctx() ctx: Context): Promise<void> {
    const target = parseRetry(commandArgs(textOf(ctx)));
    if (!target) return void (await ctx.reply(USAGE.retry));
    await replyAfterEffect(ctx, retryView(await this.admin.retry(target)));
  }

  /** Nothing happens before the confirmation button is pressed. */
  @Command('refund')
  async refund(@Ctx() ctx: Context): Promise<void> {
    const purchaseId = parsePurchaseId(commandArgs(textOf(ctx)));
    if (!purchaseId) return void (await ctx.reply(USAGE.refund));
    const preview = await this.admin.refundPreview(purchaseId);
    if (preview.kind === 'not_found') return void (await ctx.reply(purchaseNotFound(purchaseId)));
    if (preview.kind === 'not_refundable') return void (await ctx.reply(refundNotPossible(preview.purchase)));
    const view = refundConfirmView(preview.purchase);
    await ctx.reply(view.text, { reply_markup: view.keyboard });
  }

  @Action('adm:menu')
  async menuButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    const m = adminMenu();
    await editOrReply(ctx, m.text, m.keyboard);
  }

  @Action('adm:stats')
  async statsButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    await ctx.reply(statsView(await this.admin.stats()));
  }

  @Action('adm:failed')
  async failedButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    const view = failedView(await this.admin.listFailed());
    await ctx.reply(view.text, view.keyboard ? { reply_markup: view.keyboard } : undefined);
  }

  @Action(/^adm:retry:(all|\d{1,18})$/)
  async retryButton(@Ctx() ctx: Context): Promise<void> {
    const target = matchOf(ctx)[1];
    const result = await this.admin.retry(target === 'all' ? { all: true } : { id: target });
    await answer(ctx, requeuedToast(result.requeued.length));
    await replyAfterEffect(ctx, retryView(result));
  }

  @Action(/^adm:rf:ok:([0-9a-f-]{36})$/)
  async refundButton(@Ctx() ctx: Context): Promise<void> {
    const purchaseId = matchOf(ctx)[1];
    // Answer first: a Stars refund calls Telegram and may take longer than the button's spinner should.
    await answer(ctx, refundingToast());
    const result = await this.admin.refund(purchaseId, adminIdOf(ctx));
    const text =
      result.kind === 'not_found'
        ? purchaseNotFound(purchaseId)
        : result.kind === 'not_refundable'
          ? refundNotPossible(result.purchase)
          : refundDoneView({
              purchaseId,
              outcome: result.outcome,
              starsReturned: result.starsReturned,
              balanceAfter: result.balanceAfter,
              balanceCurrency: this.config.payments.balanceCurrency,
            });
    await editOrReply(ctx, text);
  }

  @Action('adm:rf:no')
  async refundCancelButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    await editOrReply(ctx, refundCancelled());
  }

  @Action(/^adm:(?!bc:)/)
  async unknownButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx, unknownAdminButton());
  }
}
