import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';

/** Body parsing shared by the application and the test harness (create the app with `rawBody: true`). */
export function configureHttp(app: INestApplication): void {
  (app as NestExpressApplication).useBodyParser('json', {
    limit: '1mb',
    // The Telegram webhook reads its own body: secret first, then size, then JSON (see its controller).
    type: (req: IncomingMessage) =>
      req.url?.split('?')[0] !== '/telegram/webhook' && /\bjson\b/.test(req.headers['content-type'] ?? ''),
  });
}
