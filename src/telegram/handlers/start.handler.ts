import { Ctx, Start, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { UsersService } from '../../users/users.service';

/** /start [referrer id]: registers the user on first contact and greets them. */
@Update()
export class StartHandler {
  constructor(private readonly users: UsersService) {}

  @Start()
  async start(@Ctx() ctx: Context): Promise<void> {
    const from = ctx.from!;
    const payload = (ctx as Context & { payload?: string }).payload ?? '';
    const referrerId = /^ref_?(\d{1,15})$/.exec(payload)?.[1];
    const { created } = await this.users.upsertFromTelegram({
      telegramId: from.id,
      username: from.username,
      firstName: from.first_name,
      languageCode: from.language_code,
      referrerId: referrerId ? Number(referrerId) : null,
    });
    await ctx.reply(created ? 'Welcome! 👋' : 'Welcome back! 👋');
  }
}
