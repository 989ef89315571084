import { UseFilters } from '@nestjs/common';
import { Action, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { DevicesService } from '../../../vpn/devices/devices.service';
import { CB, CB_PATTERN } from '../views/callback-data';
import { deviceAlreadyGone, deviceRemoved, devicesScreen } from '../views/devices.view';
import { noSubscription } from '../views/subscription.view';
import { langOf, matchOf, show, userOf } from './bot-context';
import { RethrowToBoundary } from './rethrow.filter';

/** My subscription → Devices: the devices counted against the plan's limit, and removing one. */
@Update()
@UseFilters(RethrowToBoundary)
export class DevicesHandler {
  constructor(private readonly devices: DevicesService) {}

  @Action(CB.devices)
  async list(@Ctx() ctx: Context): Promise<void> {
    await this.render(ctx);
  }

  @Action(CB_PATTERN.deviceRemove)
  async remove(@Ctx() ctx: Context): Promise<void> {
    const removed = await this.devices.removeForUser(userOf(ctx).id, matchOf(ctx)[1]);
    await this.render(ctx, (removed ? deviceRemoved : deviceAlreadyGone)[langOf(ctx)]);
  }

  private async render(ctx: Context, toast?: string): Promise<void> {
    const user = userOf(ctx);
    const lang = langOf(ctx);
    const list = await this.devices.listForUser(user.id);
    if (!list) return show(ctx, noSubscription(!user.trialUsedAt, lang), { toast });
    await show(ctx, devicesScreen(list, lang), { toast });
  }
}
