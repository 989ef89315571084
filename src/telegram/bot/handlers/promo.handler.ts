import { UseFilters } from '@nestjs/common';
import { Action, Ctx, Next, On, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { AppConfig } from '../../../config/app-config';
import { normalizeCode } from '../../../promo/promo-code';
import { PromoService } from '../../../promo/promo.service';
import { CB } from '../views/callback-data';
import { LANGS } from '../views/i18n';
import { notACode, promoPrompt, promoPromptText, promoRedeemed } from '../views/promo.view';
import { answer, langOf, show, userOf } from './bot-context';
import { commandOf } from './bot-middleware';
import { RethrowToBoundary } from './rethrow.filter';

/** Stateless ForceReply; registered before BalanceHandler so a numeric code is not taken for an amount. */
@Update()
@UseFilters(RethrowToBoundary)
export class PromoHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly promo: PromoService,
  ) {}

  @Action(CB.promo)
  async ask(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    await ctx.reply(promoPromptText(langOf(ctx)), {
      reply_markup: { force_reply: true, input_field_placeholder: 'PROMO2026' },
    });
  }

  @On('text')
  async typedCode(@Ctx() ctx: Context, @Next() next: () => Promise<void>): Promise<void> {
    const message = ctx.message as {
      text: string;
      reply_to_message?: { text?: string; from?: { is_bot: boolean } };
    };
    const reply = message.reply_to_message;
    const answersPrompt = !!reply?.from?.is_bot && LANGS.some((l) => reply.text?.startsWith(promoPrompt[l]));
    const text = message.text.trim();
    if (!answersPrompt || commandOf(text)) return next();
    const lang = langOf(ctx);
    if (!normalizeCode(text)) {
      await ctx.reply(notACode(text, lang), {
        parse_mode: 'HTML',
        reply_markup: { force_reply: true, input_field_placeholder: 'PROMO2026' },
      });
      return;
    }
    await this.redeem(ctx, text);
  }

  /** Also the deep link `/start promo_<CODE>` (StartHandler). Refusals are mapped in user-facing-errors. */
  async redeem(ctx: Context, code: string): Promise<void> {
    const result = await this.promo.redeem(userOf(ctx).id, code);
    await show(ctx, promoRedeemed(result, this.config.payments.balanceCurrency, langOf(ctx)), {
      fresh: true,
    });
  }
}
