import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Next, On, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { AppConfig } from '../../../config/app-config';
import { CryptoPayService } from '../../../payments/providers/crypto-pay/crypto-pay.service';
import { StarsService } from '../../../payments/providers/stars/stars.service';
import { TopupPolicyService } from '../../../payments/topup-policy.service';
import {
  amountOutOfRange,
  balanceScreen,
  notANumber,
  topupMethods,
  topupPrompt,
  topupPromptText,
  topupTitle,
  topupUnavailable,
} from '../views/balance.view';
import { CB, CB_PATTERN, parseMinor } from '../views/callback-data';
import { LANGS, type Lang } from '../views/i18n';
import { back, backToMenu } from '../views/menu.view';
import { cryptoInvoice, starsInvoiceSent, starsInvoiceTexts } from '../views/plans.view';
import { parseAmountMinor } from './amount';
import { answer, langOf, matchOf, show, signalOf, userOf } from './bot-context';
import { commandOf } from './bot-middleware';

/** Stateless on purpose: the amount prompt is a ForceReply, so no per-user state must survive restarts. */
@Update()
@UseFilters(RethrowToBoundary)
export class BalanceHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly cryptoPay: CryptoPayService,
    private readonly stars: StarsService,
    private readonly topups: TopupPolicyService,
  ) {}

  private get currency(): string {
    return this.config.payments.balanceCurrency;
  }

  private get canTopUp(): boolean {
    return this.cryptoPay.enabled || this.stars.enabled;
  }

  @Command('balance')
  @Action(CB.balance)
  async balance(@Ctx() ctx: Context): Promise<void> {
    await show(
      ctx,
      balanceScreen(
        {
          balanceMinor: userOf(ctx).balanceMinor,
          currency: this.currency,
          amountsMinor: this.topups.presetAmountsMinor,
          canTopUp: this.canTopUp,
        },
        langOf(ctx),
      ),
    );
  }

  @Action(CB.topupCustom)
  async askAmount(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    await ctx.reply(topupPromptText({ ...this.topups.range, currency: this.currency }, langOf(ctx)), {
      reply_markup: { force_reply: true, input_field_placeholder: '250' },
    });
  }

  @Action(CB_PATTERN.topup)
  async methods(@Ctx() ctx: Context): Promise<void> {
    const amount = this.topups.allowedAmount(parseMinor(matchOf(ctx)[1]));
    if (amount === undefined) return this.explainRange(ctx, langOf(ctx));
    await this.showMethods(ctx, amount);
  }

  /** Text that is an amount (or a reply to the amount prompt); everything else goes to the next handler. */
  @On('text')
  async typedAmount(@Ctx() ctx: Context, @Next() next: () => Promise<void>): Promise<void> {
    const message = ctx.message as {
      text: string;
      reply_to_message?: { text?: string; from?: { is_bot: boolean } };
    };
    const text = message.text.trim();
    if (commandOf(text)) return next();
    const reply = message.reply_to_message;
    const answersPrompt = !!reply?.from?.is_bot && LANGS.some((l) => reply.text?.startsWith(topupPrompt[l]));
    const amount = parseAmountMinor(text);
    if (amount === undefined && !answersPrompt) return next();
    const lang = langOf(ctx);
    if (amount === undefined) {
      await ctx.reply(notANumber(text, lang), {
        parse_mode: 'HTML',
        reply_markup: { force_reply: true, input_field_placeholder: '250' },
      });
      return;
    }
    const allowed = this.topups.allowedAmount(amount);
    if (allowed !== undefined) await this.showMethods(ctx, allowed);
    else await this.explainRange(ctx, lang);
  }

  @Action(CB_PATTERN.topupCrypto)
  async payCrypto(@Ctx() ctx: Context): Promise<void> {
    const amount = this.topups.allowedAmount(parseMinor(matchOf(ctx)[1]));
    if (amount === undefined) return this.explainRange(ctx, langOf(ctx));
    const lang = langOf(ctx);
    const ref = await this.cryptoPay.checkout(
      {
        kind: 'topup',
        userId: userOf(ctx).id,
        amountMinor: amount,
        requestKey: `tg:${ctx.update.update_id}`,
      },
      { signal: signalOf(), lang },
    );
    await show(ctx, cryptoInvoice(ref, { title: topupTitle[lang], backTo: CB.balance }, lang));
  }

  @Action(CB_PATTERN.topupStars)
  async payStars(@Ctx() ctx: Context): Promise<void> {
    const amount = this.topups.allowedAmount(parseMinor(matchOf(ctx)[1]));
    if (amount === undefined) return this.explainRange(ctx, langOf(ctx));
    const lang = langOf(ctx);
    const { purchase } = await this.stars.checkout({
      kind: 'topup',
      userId: userOf(ctx).id,
      stars: this.topups.starsFor(amount),
      creditMinor: amount,
      requestKey: `tg:${ctx.update.update_id}`,
    });
    const invoice = this.stars.buildInvoice(
      purchase,
      starsInvoiceTexts({ creditMinor: amount, currency: this.currency }, lang),
    );
    await answer(ctx, starsInvoiceSent[lang]);
    await ctx.replyWithInvoice(invoice);
  }

  private async showMethods(ctx: Context, amountMinor: number): Promise<void> {
    const lang = langOf(ctx);
    if (!this.canTopUp) return show(ctx, { text: topupUnavailable[lang], keyboard: [backToMenu(lang)] });
    await show(
      ctx,
      topupMethods(
        {
          amountMinor,
          currency: this.currency,
          cryptoPay: this.cryptoPay.enabled,
          stars: this.stars.enabled ? this.topups.starsFor(amountMinor) : undefined,
        },
        lang,
      ),
    );
  }

  private async explainRange(ctx: Context, lang: Lang): Promise<void> {
    const text = amountOutOfRange({ ...this.topups.range, currency: this.currency }, lang);
    await show(ctx, { text, keyboard: [back(lang, CB.balance)] }, { toast: text, fresh: true });
  }
}
