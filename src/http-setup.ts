import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from './config/app-config';

/** Every spelling Express routes to the webhook skips body parsing: the secret is checked first. */
const TELEGRAM_WEBHOOK_PATH = /^\/telegram\/webhook\/*$/i;

export function isTelegramWebhookPath(url: string | undefined): boolean {
  return TELEGRAM_WEBHOOK_PATH.test((url ?? '').split('?')[0]);
}

/** Body parsing shared by the application and the test harness (create the app with `rawBody: true`). */
export function configureHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  // req.ip (rate limits, opt-in request logs) believes X-Forwarded-For only from the listed proxies.
  const proxies = app.get(AppConfig).http.trustedProxies;
  express.set('trust proxy', proxies.length ? proxies : false);
  // Names the framework to every scanner and is one more header on every answer.
  express.disable('x-powered-by');
  express.useBodyParser('json', {
    limit: '1mb',
    // The Telegram webhook reads its own body: secret first, then size, then JSON (see its controller).
    type: (req: IncomingMessage) =>
      !isTelegramWebhookPath(req.url) && /\bjson\b/.test(req.headers['content-type'] ?? ''),
  });
  // A parser that never matches keeps Nest from adding one that reads bodies before authentication.
  express.useBodyParser('urlencoded', { extended: false, type: () => false });
}
