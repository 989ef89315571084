import { Logger, UseFilters } from '@nestjs/common';
import { Ctx, On, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { StarsError, StarsErrorCode } from '../../../payments/providers/stars/stars.errors';
import { StarsService } from '../../../payments/providers/stars/stars.service';
import type {
  RefundedPaymentMessageLike,
  SuccessfulPaymentMessageLike,
} from '../../../payments/providers/stars/stars-updates';
import { TransientUpdateError } from '../../transport/update-handler';
import { preCheckoutRefusal, starsReturned } from '../views/plans.view';
import { langOf, show, signalOf } from './bot-context';

/** Pre-checkout must be answered within 10 s; success is told by the notifications outbox, not here. */
@Update()
@UseFilters(RethrowToBoundary)
export class StarsPaymentHandler {
  private readonly logger = new Logger('StarsPaymentHandler');

  constructor(private readonly stars: StarsService) {}

  @On('pre_checkout_query')
  async preCheckout(@Ctx() ctx: Context): Promise<void> {
    const decision = await this.stars.answerPreCheckout(ctx.preCheckoutQuery!);
    if (decision.ok) return void (await ctx.answerPreCheckoutQuery(true));
    const text = preCheckoutRefusal[decision.reason]?.[langOf(ctx)] ?? decision.errorMessage;
    await ctx.answerPreCheckoutQuery(false, text);
  }

  @On('successful_payment')
  async successfulPayment(@Ctx() ctx: Context): Promise<void> {
    const message = ctx.message as unknown as SuccessfulPaymentMessageLike;
    if (message.successful_payment.currency !== 'XTR') return;
    let result;
    try {
      result = await this.stars.onSuccessfulPayment(message, { signal: signalOf() });
    } catch (err) {
      // Telegram will not resend this update: retried from the inbox, not answered "unavailable".
      if (err instanceof StarsError && err.code !== StarsErrorCode.Disabled)
        throw new TransientUpdateError(`Stars payment not settled yet: ${err.message}`);
      throw err;
    }
    if (result.outcome === 'returned') {
      this.logger.warn(
        `Stars of charge ${message.successful_payment.telegram_payment_charge_id} returned: ${result.reason}`,
      );
      await show(ctx, starsReturned(langOf(ctx)));
    }
  }

  /** telegraf 4.16's types predate refunded_payment; its filter matches any message field by name. */
  @On('refunded_payment' as 'message')
  async refundedPayment(@Ctx() ctx: Context): Promise<void> {
    const message = ctx.message as unknown as RefundedPaymentMessageLike;
    const result = await this.stars.onRefundedPayment(message);
    this.logger.warn(
      `Telegram refunded Stars charge ${message.refunded_payment.telegram_payment_charge_id}: ${result.outcome}`,
    );
  }
}
