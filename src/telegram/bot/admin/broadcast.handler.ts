import { UseFilters } from '@nestjs/common';
import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { MainMenu } from '../handlers/main-menu';
import { answer } from '../handlers/bot-context';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import { parseBroadcast } from './admin-args';
import { answerNonAdmin, callbackDataOf, editOrReply, replyAfterEffect, textOf } from './admin-replies';
import { AdminService } from '../../../admin/admin.service';
import {
  broadcastAlreadyFinished,
  broadcastListView,
  broadcastNotFound,
  broadcastView,
  USAGE,
} from './admin.view';
import { BroadcastsService } from '../../../admin/broadcasts.service';

/** /broadcast and its buttons (`adm:bc:…`): start, stop, list. Delivery is BroadcastDeliveryService's. */
@Update()
@UseFilters(RethrowToBoundary)
export class BroadcastHandler {
  constructor(
    private readonly admin: AdminService,
    private readonly menu: MainMenu,
    private readonly broadcasts: BroadcastsService,
  ) {}

  private async adminOf(ctx: Context): Promise<number | undefined> {
    const id = ctx.from?.id;
    if (this.admin.isAdmin(id)) return id;
    await answerNonAdmin(ctx, this.menu);
    return undefined;
  }

  @Command('broadcast')
  async broadcast(@Ctx() ctx: Context): Promise<void> {
    const by = await this.adminOf(ctx);
    if (!by) return;
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

  @Action(/^adm:bc:/)
  async button(@Ctx() ctx: Context): Promise<void> {
    const by = await this.adminOf(ctx);
    if (!by) return;
    const data = callbackDataOf(ctx);
    if (data === 'adm:bc:list') {
      await answer(ctx);
      return void (await ctx.reply(broadcastListView(await this.broadcasts.listRecent())));
    }
    const stop = /^adm:bc:stop:(\d{1,18})$/.exec(data);
    if (!stop) return void (await answer(ctx, 'Unknown admin button.'));
    const result = await this.broadcasts.stop(stop[1], by);
    await answer(ctx, result?.stopped ? 'Stopped' : 'Not running');
    if (result) {
      const view = broadcastView(result.broadcast);
      await editOrReply(ctx, view.text, view.keyboard);
    }
  }

  private async stop(ctx: Context, id: string, by: number): Promise<void> {
    const result = await this.broadcasts.stop(id, by);
    if (!result) return void (await ctx.reply(broadcastNotFound(id)));
    if (!result.stopped) return void (await ctx.reply(broadcastAlreadyFinished(result.broadcast)));
    await replyAfterEffect(ctx, broadcastView(result.broadcast).text);
  }
}
