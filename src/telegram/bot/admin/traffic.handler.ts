import { UseFilters, UseInterceptors } from '@nestjs/common';
import { Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { TrafficService } from '../../../traffic/traffic.service';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import { commandArgs } from './admin-args';
import { AdminGateInterceptor } from './admin-gate.interceptor';
import { textOf } from './admin-replies';
import { topUsage, topView } from './traffic.view';

/** /top [n]: the heaviest traffic users of their current period, a hint of abuse. */
@Update()
@UseFilters(RethrowToBoundary)
@UseInterceptors(AdminGateInterceptor)
export class TrafficHandler {
  constructor(private readonly traffic: TrafficService) {}

  @Command('top')
  async top(@Ctx() ctx: Context): Promise<void> {
    const args = commandArgs(textOf(ctx));
    const n = args.length ? Number(args[0]) : 10;
    if (args.length > 1 || !Number.isInteger(n) || n < 1 || n > 50) return void (await ctx.reply(topUsage()));
    await ctx.reply(topView(await this.traffic.top(n)));
  }
}
