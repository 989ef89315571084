import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { SubscriptionsService } from '../../../subscriptions/subscriptions.service';
import { ChannelGateService } from '../channel-gate.service';
import { CB } from '../views/callback-data';
import { stillNotMember, trialJoinChannel, trialStarted } from '../views/subscription.view';
import { langOf, show, signalOf, userOf } from './bot-context';

@Update()
@UseFilters(RethrowToBoundary)
export class TrialHandler {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly gate: ChannelGateService,
  ) {}

  @Command('trial')
  @Action(CB.trial)
  async trial(@Ctx() ctx: Context): Promise<void> {
    await this.grant(ctx, false);
  }

  /** "Check again" under the join screen: asks Telegram anew, past the membership cache. */
  @Action(CB.trialCheck)
  async checkAgain(@Ctx() ctx: Context): Promise<void> {
    await this.grant(ctx, true);
  }

  private async grant(ctx: Context, fresh: boolean): Promise<void> {
    const user = userOf(ctx);
    const lang = langOf(ctx);
    // A user who had the trial hears that, not "join the channel" (startTrial refuses them below).
    if (this.gate.enabled && !user.trialUsedAt) {
      if (!(await this.gate.isMember(user.id, { fresh, signal: signalOf() }))) {
        const screen = trialJoinChannel({ channel: this.gate.channel!, link: this.gate.link }, lang);
        return show(ctx, screen, { toast: fresh ? stillNotMember[lang] : undefined });
      }
    }
    const sub = await this.subscriptions.startTrial(user.id);
    await show(ctx, trialStarted(sub.expiresAt, lang));
  }
}
