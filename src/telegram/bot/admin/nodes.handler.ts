import { UseFilters, UseInterceptors } from '@nestjs/common';
import { Command, Ctx, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { CoreHealthService } from '../../../vpn/core-health.service';
import { VpnNodesService } from '../../../vpn/vpn-nodes.service';
import { RethrowToBoundary } from '../handlers/rethrow.filter';
import { commandArgs } from './admin-args';
import { AdminGateInterceptor } from './admin-gate.interceptor';
import { replyAfterEffect, textOf } from './admin-replies';
import { nodeChangedView, nodesView, nodeUsage } from './admin.view';

const STATES = { drain: 'draining', disable: 'disabled', enable: 'active' } as const;

@Update()
@UseFilters(RethrowToBoundary)
@UseInterceptors(AdminGateInterceptor)
export class NodesHandler {
  constructor(
    private readonly nodes: VpnNodesService,
    private readonly health: CoreHealthService,
  ) {}

  @Command('nodes')
  async list(@Ctx() ctx: Context): Promise<void> {
    await ctx.reply(nodesView(await this.nodes.overview(), this.health.down));
  }

  @Command('node')
  async change(@Ctx() ctx: Context): Promise<void> {
    const [code, action, ...rest] = commandArgs(textOf(ctx));
    const state = STATES[action as keyof typeof STATES];
    if (!code || !state || rest.length) return void (await ctx.reply(nodeUsage()));
    await replyAfterEffect(ctx, nodeChangedView(code, state, await this.nodes.setState(code, state)));
  }
}
