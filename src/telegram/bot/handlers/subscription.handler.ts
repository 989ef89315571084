import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import type { Subscription } from '../../../subscriptions/subscription';
import { SubscriptionsService } from '../../../subscriptions/subscriptions.service';
import { TrafficService, type TrafficUsage } from '../../../traffic/traffic.service';
import { VpnKeysService } from '../../../vpn/vpn-keys.service';
import { CB, CB_PATTERN } from '../views/callback-data';
import {
  autoRenewToast,
  confirmReissue,
  mySubscription,
  nodeQrCaption,
  noSubscription,
  qrCaption,
  qrPicker,
  reissued,
  setupGuide,
  type TrafficLine,
} from '../views/subscription.view';
import { answer, langOf, matchOf, show, userOf } from './bot-context';

@Update()
@UseFilters(RethrowToBoundary)
export class SubscriptionHandler {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly keys: VpnKeysService,
    private readonly traffic: TrafficService,
  ) {}

  @Command('subscription')
  @Action(CB.sub)
  async overview(@Ctx() ctx: Context): Promise<void> {
    await this.render(ctx);
  }

  private async render(ctx: Context, toast?: string, known?: Subscription): Promise<void> {
    const user = userOf(ctx);
    const lang = langOf(ctx);
    const sub = known ?? (await this.subscriptions.getForUser(user.id));
    if (!sub) return show(ctx, noSubscription(!user.trialUsedAt, lang), { toast });
    // The key comes from the row just read (links are rendered from the nodes), not from a second read of it.
    const active = sub.status === 'active';
    const links = active ? await this.keys.linksFor(sub) : [];
    const usage = active ? await this.traffic.usage(sub.id) : undefined;
    await show(
      ctx,
      mySubscription(
        {
          sub,
          link: active ? (links[0]?.link ?? this.keys.link(sub.vpnUuid)) : undefined,
          nodeLinks: links.length > 1 ? links : undefined,
          subscriptionUrl: active ? this.keys.subscriptionUrl(sub.subToken) : undefined,
          canAutoRenew: !!sub.planCode,
          traffic: trafficLine(usage),
        },
        lang,
      ),
      { toast },
    );
  }

  /** One node: its QR at once; several: a picker, then one QR per tap (CB.qrNode). */
  @Action(CB.qr)
  async qr(@Ctx() ctx: Context): Promise<void> {
    const links = await this.keys.linksForUser(userOf(ctx).id);
    if (links && links.length > 1) return show(ctx, qrPicker(links, langOf(ctx)));
    const key = await this.keys.keyForUser(userOf(ctx).id);
    if (!key) return this.render(ctx);
    const png = await this.keys.qrPng(key.link);
    await answer(ctx);
    await ctx.replyWithPhoto({ source: png, filename: 'vpn-key.png' }, { caption: qrCaption[langOf(ctx)] });
  }

  @Action(CB_PATTERN.qrNode)
  async qrNode(@Ctx() ctx: Context): Promise<void> {
    const links = await this.keys.linksForUser(userOf(ctx).id);
    if (!links) return this.render(ctx);
    const chosen = links.find((l) => l.node === matchOf(ctx)[1]);
    // A node drained or removed since the picker was shown: show the picker as it is now.
    if (!chosen) return show(ctx, qrPicker(links, langOf(ctx)));
    const png = await this.keys.qrPng(chosen.link);
    await answer(ctx);
    await ctx.replyWithPhoto(
      { source: png, filename: `vpn-key-${chosen.node}.png` },
      { caption: nodeQrCaption(chosen.label, langOf(ctx)) },
    );
  }

  @Action(CB.guide)
  async guide(@Ctx() ctx: Context): Promise<void> {
    await show(ctx, setupGuide(langOf(ctx)));
  }

  @Action(CB.reissue)
  async askReissue(@Ctx() ctx: Context): Promise<void> {
    await this.subscriptions.assertCanReissue(userOf(ctx).id);
    await show(ctx, confirmReissue(langOf(ctx)));
  }

  @Action(CB.reissueConfirm)
  async reissue(@Ctx() ctx: Context): Promise<void> {
    const renewed = await this.subscriptions.reissue(userOf(ctx).id);
    const links = await this.keys.linksFor(renewed);
    const fallback = links.length ? undefined : this.keys.linkIfConfigured(renewed.vpnUuid);
    await show(ctx, reissued(fallback ? [{ label: '', link: fallback }] : links, langOf(ctx)));
  }

  @Action(CB_PATTERN.autoRenew)
  async autoRenew(@Ctx() ctx: Context): Promise<void> {
    const on = matchOf(ctx)[1] === '1';
    const sub = await this.subscriptions.setAutoRenew(userOf(ctx).id, on);
    await this.render(ctx, autoRenewToast(on, langOf(ctx)), sub);
  }
}

function trafficLine(u: TrafficUsage | undefined): TrafficLine | undefined {
  const used = u ? u.uploadBytes + u.downloadBytes : 0;
  if (!u || (u.limitBytes === null && used === 0)) return undefined;
  return { usedBytes: used, limitBytes: u.limitBytes, overLimit: u.overLimit, reset: u.reset };
}
