import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { SubscriptionsService } from '../../../subscriptions/subscriptions.service';
import { CB } from '../views/callback-data';
import { trialStarted } from '../views/subscription.view';
import { langOf, show, userOf } from './bot-context';

@Update()
@UseFilters(RethrowToBoundary)
export class TrialHandler {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Command('trial')
  @Action(CB.trial)
  async trial(@Ctx() ctx: Context): Promise<void> {
    const sub = await this.subscriptions.startTrial(userOf(ctx).id);
    await show(ctx, trialStarted(sub.expiresAt, langOf(ctx)));
  }
}
