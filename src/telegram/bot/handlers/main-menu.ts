import { Injectable } from '@nestjs/common';
import type { Context } from 'telegraf';
import { AppConfig } from '../../../config/app-config';
import { SubscriptionsService } from '../../../subscriptions/subscriptions.service';
import type { Screen } from '../views/i18n';
import { mainMenu } from '../views/menu.view';
import { langOf, stateOf, userOf } from './bot-context';

@Injectable()
export class MainMenu {
  constructor(
    private readonly config: AppConfig,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  async screen(ctx: Context): Promise<Screen> {
    const user = userOf(ctx);
    const sub = await this.subscriptions.getForUser(user.id);
    return mainMenu(
      {
        firstName: user.firstName ?? ctx.from?.first_name ?? null,
        created: stateOf(ctx).created === true,
        trialAvailable: !user.trialUsedAt && !sub,
        subscription: sub
          ? { active: sub.status === 'active', expiresAt: sub.expiresAt, isTrial: sub.isTrial }
          : null,
        balanceMinor: user.balanceMinor,
        currency: this.config.payments.balanceCurrency,
      },
      langOf(ctx),
    );
  }
}
