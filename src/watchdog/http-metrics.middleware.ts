import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Labelled by the matched route, not the raw URL, to keep labels bounded. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const t0 = performance.now();
    res.on('finish', () => {
      const route =
        (req.route as { path?: string } | undefined)?.path ??
        (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other');
      this.metrics.httpDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        (performance.now() - t0) / 1000,
      );
    });
    next();
  }
}
