import { Controller, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { SignalsService } from '../../signals/signals.service';
import { UpdateDispatcherService } from './update-dispatcher.service';
import { WebhookIntakeService } from './webhook-intake.service';

const ACCEPTED = JSON.stringify({ ok: true, duplicate: false });
const DUPLICATE = JSON.stringify({ ok: true, duplicate: true });

/** Constant-time secret check first, size-limited body parsed here, 200 only after the commit. */
@Controller('telegram')
export class TelegramWebhookController {
  private readonly logger = new Logger('TelegramWebhook');
  private readonly secretDigest?: Buffer;

  constructor(
    private readonly config: AppConfig,
    private readonly intake: WebhookIntakeService,
    private readonly dispatcher: UpdateDispatcherService,
    private readonly signals: SignalsService,
  ) {
    const secret = config.telegram.webhookSecret;
    this.secretDigest = secret ? digest(secret) : undefined;
  }

  @Post('webhook')
  @HttpCode(200)
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const header = req.headers['x-telegram-bot-api-secret-token'];
    if (
      !this.secretDigest ||
      typeof header !== 'string' ||
      !timingSafeEqual(digest(header), this.secretDigest)
    ) {
      req.resume();
      res.status(403).json({ ok: false, error: 'wrong or missing X-Telegram-Bot-Api-Secret-Token' });
      return;
    }
    const limit = this.config.telegram.webhookMaxBodyBytes;
    const body = await readLimited(req, limit);
    if (body === 'too-large') {
      res.status(413).json({ ok: false, error: `body larger than ${limit} bytes` });
      return;
    }
    let update: unknown;
    try {
      update = JSON.parse(body.toString('utf8'));
    } catch {
      res.status(400).json({ ok: false, error: 'body is not valid JSON' });
      return;
    }
    if (!isUpdate(update)) {
      res
        .status(400)
        .json({ ok: false, error: 'body is not a Telegram update (integer update_id required)' });
      return;
    }
    this.signals.record('telegram.webhook.received');
    try {
      const stored = await this.intake.submit(update);
      if (stored) this.dispatcher.wake();
      // Written directly: the most frequent answer needs none of Express's JSON, ETag and header helpers.
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(stored ? ACCEPTED : DUPLICATE);
    } catch (err) {
      // Not stored: ask Telegram to deliver it again rather than acknowledging an update we could lose.
      this.logger.warn(`could not store update ${update.update_id}: ${(err as Error).message}`);
      res.setHeader('Retry-After', '5');
      res.status(503).json({ ok: false, error: 'temporarily unable to accept updates' });
    }
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function isUpdate(v: unknown): v is { update_id: number } & Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && Number.isSafeInteger((v as { update_id?: unknown }).update_id)
  );
}

function readLimited(req: Request, limit: number): Promise<Buffer | 'too-large'> {
  // A body already consumed by a parser would never end: answer at once instead of waiting forever.
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
