import { UseFilters, UseInterceptors } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { answer, matchOf } from '../handlers/bot-context';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import { parseBroadcast } from './admin-args';
import { AdminGateInterceptor } from './admin-gate.interceptor';
import { adminIdOf, editOrReply, replyAfterEffect, textOf } from './admin-replies';
import {
  broadcastAlreadyFinished,
  broadcastListView,
  broadcastNotFound,
  broadcastStopToast,
  broadcastView,
  unknownAdminButton,
  USAGE,
} from './admin.view';
import { BroadcastsService } from '../../../admin/broadcasts.service';

@Update()
@UseFilters(RethrowToBoundary)
@UseInterceptors(AdminGateInterceptor)
export class BroadcastHandler {
  constructor(private readonly broadcasts: BroadcastsService) {}

  @Command('broadcast')
  async broadcast(@Ctx() ctx: Context): Promise<void> {
    const by = adminIdOf(ctx);
    const msg = ctx.message;
    const replied =
      msg && 'reply_to_message' in msg && msg.reply_to_message
        ? (msg.reply_to_message as { text?: string; caption?: string })
        : undefined;
    const cmd = parseBroadcast(textOf(ctx), replied?.text ?? replied?.caption);
    if (!cmd) return void (await ctx.reply(USAGE.broadcast));
    if (cmd.kind === 'list')
      return void (await ctx.reply(broadcastListView(await this.broadcasts.listRecent())));
    if (cmd.kind === 'stop') return this.stop(ctx, cmd.id, by);

    const { broadcast, created } = await this.broadcasts.start({
      audience: cmd.audience,
      text: cmd.text,
      adminId: by,
      chatId: ctx.chat!.id,
      requestKey: `tg:${ctx.update.update_id}`,
    });
    // A redelivered command finds its broadcast: it only shows the progress message if that is missing.
    if (!created && broadcast.progressMessageId !== null) return;
    const view = broadcastView(broadcast);
    const sent = await ctx.reply(view.text, view.keyboard ? { reply_markup: view.keyboard } : undefined);
    await this.broadcasts.attachProgressMessage(broadcast.id, sent.message_id);
  }

  @Action('adm:bc:list')
  async listButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx);
    await ctx.reply(broadcastListView(await this.broadcasts.listRecent()));
  }

  @Action(/^adm:bc:stop:(\d{1,18})$/)
  async stopButton(@Ctx() ctx: Context): Promise<void> {
    const result = await this.broadcasts.stop(matchOf(ctx)[1], adminIdOf(ctx));
    await answer(ctx, broadcastStopToast(!!result?.stopped));
    if (result) {
      const view = broadcastView(result.broadcast);
      await editOrReply(ctx, view.text, view.keyboard);
    }
  }

  @Action(/^adm:bc:/)
  async unknownButton(@Ctx() ctx: Context): Promise<void> {
    await answer(ctx, unknownAdminButton());
  }

  private async stop(ctx: Context, id: string, by: number): Promise<void> {
    const result = await this.broadcasts.stop(id, by);
    if (!result) return void (await ctx.reply(broadcastNotFound(id)));
    if (!result.stopped) return void (await ctx.reply(broadcastAlreadyFinished(result.broadcast)));
    await replyAfterEffect(ctx, broadcastView(result.broadcast).text);
  }
}
