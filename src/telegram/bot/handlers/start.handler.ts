import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Help, On, Start, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { RethrowToBoundary } from './rethrow.filter';
import { AppConfig } from '../../../config/app-config';
import { UsersService } from '../../../users/users.service';
import { CB, CB_PATTERN } from '../views/callback-data';
import { toLang } from '../views/i18n';
import { helpScreen, languageChanged, languageMenu } from '../views/menu.view';
import { langOf, matchOf, show, stateOf, userOf } from './bot-context';
import { referrerFromStart } from './bot-middleware';
import { MainMenu } from './main-menu';
import { PromoHandler } from './promo.handler';
import { GiftsService } from '../../../payments/gifts/gifts.service';
import { giftReceived } from '../views/gift.view';

@Update()
@UseFilters(RethrowToBoundary)
export class StartHandler {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly menu: MainMenu,
    private readonly promo: PromoHandler,
    private readonly gifts: GiftsService,
  ) {}

  @Start()
  async start(@Ctx() ctx: Context): Promise<void> {
    const from = ctx.from!;
    if (!stateOf(ctx).created) {
      // A returning user: refresh the profile (the referrer is only ever written on first contact).
      const { user } = await this.users.upsertFromTelegram({
        telegramId: from.id,
        username: from.username,
        firstName: from.first_name,
        languageCode: from.language_code,
        referrerId: referrerFromStart(ctx),
      });
      stateOf(ctx).user = user;
    }
    const link = deepLinkOf(ctx);
    if (link?.kind === 'promo') return this.promo.redeem(ctx, link.value);
    if (link?.kind === 'gift') {
      const r = await this.gifts.redeem(userOf(ctx).id, link.value);
      const view = { days: r.gift.days, expiresAt: r.subscription.expiresAt, issued: r.issued };
      return show(ctx, giftReceived(view, langOf(ctx)));
    }
    await show(ctx, await this.menu.screen(ctx));
  }

  @Command('menu')
  @Action(CB.menu)
  async showMenu(@Ctx() ctx: Context): Promise<void> {
    await show(ctx, await this.menu.screen(ctx));
  }

  @Help()
  @Action(CB.help)
  async help(@Ctx() ctx: Context): Promise<void> {
    await show(ctx, helpScreen(this.config.bot.supportContact, langOf(ctx)));
  }

  @Command('language')
  @Action(CB.lang)
  async languages(@Ctx() ctx: Context): Promise<void> {
    await show(ctx, languageMenu(langOf(ctx)));
  }

  @Action(CB_PATTERN.setLang)
  async setLanguage(@Ctx() ctx: Context): Promise<void> {
    const lang = toLang(matchOf(ctx)[1]);
    const user = userOf(ctx);
    await this.users.setLanguage(user.id, lang);
    stateOf(ctx).user = { ...user, languageCode: lang };
    await show(ctx, await this.menu.screen(ctx), { toast: languageChanged[lang] });
  }

  @On('my_chat_member')
  async chatMember(@Ctx() ctx: Context): Promise<void> {
    const m = ctx.myChatMember!;
    if (m.chat.type !== 'private' || !(await this.known(m.from.id))) return;
    if (m.new_chat_member.status === 'kicked') await this.users.markBlocked(m.from.id);
    else if (m.new_chat_member.status === 'member') await this.users.touch(m.from.id);
  }

  private async known(id: number): Promise<boolean> {
    return this.users.get(id).then(
      () => true,
      () => false,
    );
  }
}

/** `/start promo_<CODE>` (a landing link: no referrer) or `/start gift_<token>`. */
function deepLinkOf(ctx: Context): { kind: 'promo' | 'gift'; value: string } | null {
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  const m = /^\/start(?:@\w+)?\s+(promo|gift)_([A-Za-z0-9_-]{1,58})$/.exec(text.trim());
  return m ? { kind: m[1] as 'promo' | 'gift', value: m[2] } : null;
}
