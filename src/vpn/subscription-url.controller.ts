import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import { HttpBudget, HttpBudgetExhaustedError } from '../database/http-budget';
import { RateLimit } from '../http/rate-limit.module';
import { VpnKeysService } from './vpn-keys.service';

// One body for every failure so a probe cannot tell malformed, unknown and reissued tokens apart.
const NOT_FOUND = 'Not Found';

@Controller('sub')
export class SubscriptionUrlController {
  constructor(
    private readonly keys: VpnKeysService,
    private readonly budget: HttpBudget,
  ) {}

  @Get(':token')
  @UseGuards(ThrottlerGuard)
  @RateLimit('sub')
  async feed(@Param('token') token: string, @Res() res: Response): Promise<void> {
    let feed: Awaited<ReturnType<VpnKeysService['feed']>>;
    try {
      feed = await this.budget.run('http.sub', () => this.keys.feed(token));
    } catch (err) {
      if (!(err instanceof HttpBudgetExhaustedError)) throw err;
      res
        .status(503)
        .set({ 'retry-after': '5', 'cache-control': 'no-store' })
        .type('text/plain')
        .send('busy');
      return;
    }
    if (!feed) {
      res.status(404).type('text/plain').set('cache-control', 'no-store').send(NOT_FOUND);
      return;
    }
    res.status(200).set(feed.headers).send(feed.body);
  }
}
