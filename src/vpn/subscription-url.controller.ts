import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { HttpBudget, HttpBudgetExhaustedError } from '../database/http-budget';
import { RateLimit } from '../http/rate-limit.module';
import { BadDeviceHeaderError } from './devices/device-headers';
import { UnknownFeedFormatError } from './feed/feed-format';
import { FeedService, type FeedResponse } from './feed/feed.service';

// One body for every failure so a probe cannot tell malformed, unknown and reissued tokens apart.
const NOT_FOUND = 'Not Found';

/** GET (and HEAD, which Express answers from the same route without a body) /sub/:token. */
@Controller('sub')
export class SubscriptionUrlController {
  constructor(
    private readonly feeds: FeedService,
    private readonly budget: HttpBudget,
  ) {}

  @Get(':token')
  @UseGuards(ThrottlerGuard)
  @RateLimit('sub')
  async feed(
    @Param('token') token: string,
    @Query('format') format: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const plain = (status: number, body: string, extra: Record<string, string> = {}) =>
      void res
        .status(status)
        .set({ 'cache-control': 'no-store', ...extra })
        .type('text/plain')
        .send(body);
    if (format !== undefined && typeof format !== 'string')
      return plain(400, 'format must be given once: ?format=base64|clash|singbox|html');
    let feed: FeedResponse | undefined;
    try {
      feed = await this.budget.run('http.sub', () =>
        this.feeds.feed({ token, format, headers: req.headers }),
      );
    } catch (err) {
      if (err instanceof HttpBudgetExhaustedError) return plain(503, 'busy', { 'retry-after': '5' });
      if (err instanceof UnknownFeedFormatError || err instanceof BadDeviceHeaderError)
        return plain(400, err.message);
      throw err;
    }
    if (!feed) return plain(404, NOT_FOUND);
    res.status(200).set(feed.headers).send(feed.body);
  }
}
