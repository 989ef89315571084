import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

@Controller()
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    const auth = config.watchdog.metricsBasicAuth;
    this.expected = auth ? digest(`Basic ${Buffer.from(auth).toString('base64')}`) : undefined;
  }

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (this.expected) {
      const given = req.headers.authorization ?? '';
      if (!timingSafeEqual(digest(given), this.expected)) {
        res.status(401).setHeader('WWW-Authenticate', 'Basic realm="metrics"').send('unauthorized');
        return;
      }
    }
    res.setHeader('content-type', this.metrics.registry.contentType);
    res.send(await this.metrics.render());
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
