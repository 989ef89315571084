import { UseFilters, UseInterceptors } from '@nestjs/common';
import { Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { AppConfig } from '../../../config/app-config';
import { GiftsService } from '../../../payments/gifts/gifts.service';
import { PromoAdminService } from '../../../promo/promo-admin.service';
import { PromoError } from '../../../promo/promo.errors';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import { commandArgs } from './admin-args';
import { AdminGateInterceptor } from './admin-gate.interceptor';
import { adminIdOf, replyAfterEffect, textOf } from './admin-replies';
import { fitMessage } from './admin.view';
import { parseGiftCommand, parsePromo } from './promo-args';
import {
  giftNotFound,
  giftNotRefundable,
  giftRefundedView,
  giftsListView,
  giftView,
  promoRefusedView,
  promoUsage,
  promoCreatedView,
  promoDetailsView,
  promoListView,
  promoNotFound,
  promoOffView,
} from './promo-admin.view';

const GIFTS_LISTED = 20;

/** /promo, /gifts and /gift for admins; the arguments come with the command and are parsed strictly. */
@Update()
@UseFilters(RethrowToBoundary)
@UseInterceptors(AdminGateInterceptor)
export class AdminPromoHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly promo: PromoAdminService,
    private readonly gifts: GiftsService,
  ) {}

  private get currency(): string {
    return this.config.payments.balanceCurrency;
  }

  @Command('promo')
  async promoCommand(@Ctx() ctx: Context): Promise<void> {
    const cmd = parsePromo(commandArgs(textOf(ctx)));
    switch (cmd.kind) {
      case 'error':
        return void (await ctx.reply(`${cmd.message}\n\n${promoUsage()}`));
      case 'list':
        return void (await ctx.reply(fitMessage(promoListView(await this.promo.list(), this.currency))));
      case 'show': {
        const found = await this.promo.details(cmd.code);
        if (!found) return void (await ctx.reply(promoNotFound(cmd.code)));
        return void (await ctx.reply(
          fitMessage(promoDetailsView(found.code, found.redemptions, this.currency)),
        ));
      }
      case 'off': {
        const r = await this.promo.deactivate(cmd.code, adminIdOf(ctx));
        if (r === 'unknown') return void (await ctx.reply(promoNotFound(cmd.code)));
        return replyAfterEffect(ctx, promoOffView(cmd.code, r));
      }
      case 'new':
        try {
          const created = await this.promo.create(cmd.spec, adminIdOf(ctx));
          return replyAfterEffect(ctx, promoCreatedView(created, this.currency));
        } catch (err) {
          if (err instanceof PromoError) return void (await ctx.reply(promoRefusedView(err.message)));
          throw err;
        }
    }
  }

  @Command('gifts')
  async giftsCommand(@Ctx() ctx: Context): Promise<void> {
    await ctx.reply(fitMessage(giftsListView(await this.gifts.recent(GIFTS_LISTED))));
  }

  /** `/gift refund <id>`: an open gift's value back to the buyer's balance (the job does it at expiry). */
  @Command('gift')
  async giftCommand(@Ctx() ctx: Context): Promise<void> {
    const cmd = parseGiftCommand(commandArgs(textOf(ctx)));
    if (cmd.kind === 'error') return void (await ctx.reply(cmd.message));
    const gift = await this.gifts.get(cmd.id);
    if (!gift) return void (await ctx.reply(giftNotFound(cmd.id)));
    if (cmd.kind === 'show') return void (await ctx.reply(giftView(gift, this.currency)));
    const refunded = await this.gifts.refundToBalance(gift.id, { reason: `admin ${adminIdOf(ctx)}` });
    if (!refunded) return void (await ctx.reply(giftNotRefundable((await this.gifts.get(gift.id)) ?? gift)));
    await replyAfterEffect(ctx, giftRefundedView(refunded.gift, refunded.balanceAfter, this.currency));
  }
}
