import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { VpnKeysService } from './vpn-keys.service';

// One body for every failure so a probe cannot tell malformed, unknown and reissued tokens apart.
const NOT_FOUND = 'Not Found';

/** GET /sub/:token: the subscription feed VPN clients import and refresh. */
@Controller('sub')
export class SubscriptionUrlController {
  constructor(private readonly keys: VpnKeysService) {}

  @Get(':token')
  async feed(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const feed = await this.keys.feed(token);
    if (!feed) {
      res.status(404).type('text/plain').set('cache-control', 'no-store').send(NOT_FOUND);
      return;
    }
    res.status(200).set(feed.headers).send(feed.body);
  }
}
