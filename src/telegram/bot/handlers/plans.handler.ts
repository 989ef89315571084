import { UseFilters } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { AppConfig } from '../../../config/app-config';
import { CryptoPayService } from '../../../payments/providers/crypto-pay/crypto-pay.service';
import { BalanceCheckoutService } from '../../../payments/balance-checkout.service';
import { StarsService } from '../../../payments/providers/stars/stars.service';
import { PurchasesService } from '../../../payments/purchases.service';
import { PromoService } from '../../../promo/promo.service';
import { PlanCatalog } from '../../../subscriptions/plan-catalog';
import { CB, CB_PATTERN } from '../views/callback-data';
import {
  confirmBalancePayment,
  cryptoInvoice,
  cryptoInvoiceTitle,
  insufficientFunds,
  paidFromBalance,
  paymentMethods,
  planList,
  starsInvoiceSent,
  starsInvoiceTexts,
} from '../views/plans.view';
import { GIFT_BUTTON } from '../views/gift.view';
import { btn } from '../views/menu.view';
import { PROMO_BUTTON } from '../views/promo.view';
import { answer, langOf, matchOf, show, signalOf, userOf } from './bot-context';

@Update()
@UseFilters(RethrowToBoundary)
export class PlansHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly plans: PlanCatalog,
    private readonly purchases: PurchasesService,
    private readonly checkout: BalanceCheckoutService,
    private readonly cryptoPay: CryptoPayService,
    private readonly stars: StarsService,
    private readonly promo: PromoService,
  ) {}

  private get currency(): string {
    return this.config.payments.balanceCurrency;
  }

  @Command('plans')
  @Action(CB.plans)
  async list(@Ctx() ctx: Context): Promise<void> {
    const lang = langOf(ctx);
    const screen = planList(this.plans.list(), this.currency, lang);
    // Gifts and promo codes sit next to the plans, above "Menu".
    screen.keyboard?.splice(-1, 0, [btn(GIFT_BUTTON[lang], CB.gift), btn(PROMO_BUTTON[lang], CB.promo)]);
    await show(ctx, screen);
  }

  @Action(CB_PATTERN.plan)
  async methods(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const methods = { balance: true, cryptoPay: this.cryptoPay.enabled, stars: this.stars.enabled };
    const discount = await this.promo.discountFor(userOf(ctx).id, plan.code);
    await show(
      ctx,
      paymentMethods(
        {
          plan,
          currency: this.currency,
          methods,
          balanceMinor: userOf(ctx).balanceMinor,
          discountPercent: discount?.percent,
        },
        langOf(ctx),
      ),
    );
  }

  @Action(CB_PATTERN.payBalance)
  async confirmBalance(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const balance = userOf(ctx).balanceMinor;
    const discount = await this.promo.discountFor(userOf(ctx).id, plan.code);
    const { priceMinor: price, affordable } = this.checkout.quote(plan, balance, discount?.percent);
    const lang = langOf(ctx);
    if (!affordable)
      return show(
        ctx,
        insufficientFunds({ needMinor: price, balanceMinor: balance, currency: this.currency }, lang),
      );
    // The nonce becomes the debit's ledger reference: pressing "Pay" twice (or again later) debits once.
    const nonce = randomBytes(6).toString('base64url');
    await show(
      ctx,
      confirmBalancePayment(
        { plan, priceMinor: price, balanceMinor: balance, currency: this.currency, nonce },
        lang,
      ),
    );
  }

  @Action(CB_PATTERN.payBalanceConfirm)
  async payBalance(@Ctx() ctx: Context): Promise<void> {
    const [, code, nonce] = matchOf(ctx);
    const user = userOf(ctx);
    const result = await this.purchases.payFromBalance({
      userId: user.id,
      planCode: code,
      reference: `tg:${user.id}:${nonce}`,
      discount: await this.promo.discountFor(user.id, code),
    });
    await show(
      ctx,
      paidFromBalance(
        {
          plan: this.plans.find(code),
          priceMinor: result.purchase.amountMinor,
          balanceAfter: result.balanceAfter,
          currency: this.currency,
          expiresAt: result.subscription?.expiresAt ?? null,
        },
        langOf(ctx),
      ),
    );
  }

  @Action(CB_PATTERN.payCrypto)
  async payCrypto(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const lang = langOf(ctx);
    const ref = await this.cryptoPay.checkout(
      {
        kind: 'subscription',
        userId: userOf(ctx).id,
        planCode: plan.code,
        requestKey: `tg:${ctx.update.update_id}`,
        discount: await this.promo.discountFor(userOf(ctx).id, plan.code),
      },
      { signal: signalOf(), lang },
    );
    await show(
      ctx,
      cryptoInvoice(ref, { title: cryptoInvoiceTitle(plan, lang), backTo: CB.plan(plan.code) }, lang),
    );
  }

  @Action(CB_PATTERN.payStars)
  async payStars(@Ctx() ctx: Context): Promise<void> {
    const plan = this.plans.get(matchOf(ctx)[1]);
    const lang = langOf(ctx);
    const { purchase } = await this.stars.checkout({
      kind: 'subscription',
      userId: userOf(ctx).id,
      planCode: plan.code,
      requestKey: `tg:${ctx.update.update_id}`,
      discount: await this.promo.discountFor(userOf(ctx).id, plan.code),
    });
    const invoice = this.stars.buildInvoice(
      purchase,
      starsInvoiceTexts({ plan, currency: this.currency }, lang),
    );
    await answer(ctx, starsInvoiceSent[lang]);
    await ctx.replyWithInvoice(invoice);
  }
}
