import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { AppConfig } from '../../../config/app-config';
import { ReferralService } from '../../../payments/referral.service';
import { referralsScreen } from '../views/balance.view';
import { CB } from '../views/callback-data';
import { langOf, show, userOf } from './bot-context';

@Update()
@UseFilters(RethrowToBoundary)
export class ReferralsHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly referrals: ReferralService,
  ) {}

  @Command('referrals')
  @Action(CB.referrals)
  async referralsInfo(@Ctx() ctx: Context): Promise<void> {
    const user = userOf(ctx);
    // telegraf fetches getMe before the first update is handled, so botInfo is always set here.
    const link = `https://t.me/${ctx.botInfo.username}?start=ref_${user.id}`;
    const stats = await this.referrals.statsFor(user.id);
    await show(
      ctx,
      referralsScreen(
        {
          link,
          invited: stats.invited,
          earnedMinor: stats.earnedMinor,
          currency: this.config.payments.balanceCurrency,
          percent: this.config.payments.referralPercent,
        },
        langOf(ctx),
      ),
    );
  }
}
