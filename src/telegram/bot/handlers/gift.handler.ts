import { UseFilters } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Action, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { AppConfig } from '../../../config/app-config';
import { BalanceCheckoutService } from '../../../payments/balance-checkout.service';
import { GiftsService } from '../../../payments/gifts/gifts.service';
import { CryptoPayService } from '../../../payments/providers/crypto-pay/crypto-pay.service';
import { StarsService } from '../../../payments/providers/stars/stars.service';
import { PurchasesService } from '../../../payments/purchases.service';
import { PlanCatalog } from '../../../subscriptions/plan-catalog';
import { CB_PATTERN, CB } from '../views/callback-data';
import {
  confirmGiftBalance,
  giftInvoiceTitle,
  giftLinkOf,
  giftMethods,
  giftPlans,
  giftReady,
  giftStarsTexts,
} from '../views/gift.view';
import { cryptoInvoice, insufficientFunds, starsInvoiceSent } from '../views/plans.view';
import { answer, langOf, matchOf, show, signalOf, userOf } from './bot-context';
import { RethrowToBoundary } from './rethrow.filter';

/** "🎁 Gift": a 'gift' purchase through the usual checkout; once paid, the buyer gets a link to share. */
@Update()
@UseFilters(RethrowToBoundary)
export class GiftHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly plans: PlanCatalog,
    private readonly purchases: PurchasesService,
    private readonly checkout: BalanceCheckoutService,
    private readonly cryptoPay: CryptoPayService,
    private readonly stars: StarsService,
    private readonly gifts: GiftsService,
  ) {}

  private get currency(): string {
    return this.config.payments.balanceCurrency;
  }

  @Action(CB.gift)
  async list(@Ctx() ctx: Context): Promise<void> {
    await show(ctx, giftPlans(this.plans.list(), this.currency, langOf(ctx)));
  }

  @Action(CB_PATTERN.giftPlan)
  async methods(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const methods = { balance: true, cryptoPay: this.cryptoPay.enabled, stars: this.stars.enabled };
    const view = { plan, currency: this.currency, methods, balanceMinor: userOf(ctx).balanceMinor };
    await show(ctx, giftMethods(view, langOf(ctx)));
  }

  @Action(CB_PATTERN.giftBalance)
  async confirmBalance(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const balance = userOf(ctx).balanceMinor;
    const { priceMinor, affordable } = this.checkout.quote(plan, balance);
    const lang = langOf(ctx);
    if (!affordable)
      return show(
        ctx,
        insufficientFunds({ needMinor: priceMinor, balanceMinor: balance, currency: this.currency }, lang),
      );
    const nonce = randomBytes(6).toString('base64url');
    await show(
      ctx,
      confirmGiftBalance({ plan, priceMinor, balanceMinor: balance, currency: this.currency, nonce }, lang),
    );
  }

  /** The nonce is the debit's ledger reference: a second press buys nothing more. */
  @Action(CB_PATTERN.giftBalanceConfirm)
  async payBalance(@Ctx() ctx: Context): Promise<void> {
    const [, code, nonce] = matchOf(ctx);
    const user = userOf(ctx);
    const result = await this.purchases.payFromBalance({
      userId: user.id,
      planCode: code,
      kind: 'gift',
      reference: `tg:${user.id}:${nonce}`,
    });
    await this.showLink(ctx, result.gift!.id);
  }

  @Action(CB_PATTERN.giftCrypto)
  async payCrypto(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const lang = langOf(ctx);
    const ref = await this.cryptoPay.checkout(
      { kind: 'gift', userId: userOf(ctx).id, planCode: plan.code, requestKey: `tg:${ctx.update.update_id}` },
      { signal: signalOf(), lang },
    );
    await show(
      ctx,
      cryptoInvoice(ref, { title: giftInvoiceTitle(plan, lang), backTo: CB.giftPlan(plan.code) }, lang),
    );
  }

  @Action(CB_PATTERN.giftStars)
  async payStars(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const lang = langOf(ctx);
    const { purchase } = await this.stars.checkout({
      kind: 'gift',
      userId: userOf(ctx).id,
      planCode: plan.code,
      requestKey: `tg:${ctx.update.update_id}`,
    });
    await answer(ctx, starsInvoiceSent[lang]);
    await ctx.replyWithInvoice(this.stars.buildInvoice(purchase, giftStarsTexts(plan, lang)));
  }

  /** "Get the link" (from the paid notice) and "New link": a new token each time, the old link stops. */
  @Action(CB_PATTERN.giftLink)
  async link(@Ctx() ctx: Context): Promise<void> {
    await this.showLink(ctx, matchOf(ctx)[1]);
  }

  private async showLink(ctx: Context, giftId: string): Promise<void> {
    const { gift, token } = await this.gifts.newLink(userOf(ctx).id, giftId);
    const link = giftLinkOf(ctx.botInfo.username, token);
    await show(
      ctx,
      giftReady({ giftId: gift.id, link, days: gift.days, expiresAt: gift.expiresAt }, langOf(ctx)),
    );
  }
}
