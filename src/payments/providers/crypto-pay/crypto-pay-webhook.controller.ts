import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  Post,
  Req,
  ServiceUnavailableException,
  UnauthorizedException,
  UseGuards,
  type RawBodyRequest,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { RateLimit } from '../../../http/rate-limit.module';
import { CryptoPayWebhookService } from './crypto-pay-webhook.service';
import { CryptoPayError, CryptoPayErrorCode } from './crypto-pay.errors';

@Controller('payments/crypto-pay')
export class CryptoPayWebhookController {
  constructor(private readonly webhooks: CryptoPayWebhookService) {}

  @Post('webhook')
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @RateLimit('paymentWebhook')
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('crypto-pay-api-signature') signature: string | undefined,
  ): Promise<{ ok: true; outcome: string }> {
    try {
      const outcome = await this.webhooks.receive({ rawBody: req.rawBody, body: req.body, signature });
      return { ok: true, outcome };
    } catch (err) {
      throw toHttp(err);
    }
  }
}

function toHttp(err: unknown): unknown {
  if (!(err instanceof CryptoPayError)) return err;
  const body = { ok: false, error: err.code, message: err.message };
  switch (err.code) {
    case CryptoPayErrorCode.WebhookUnauthorized:
      return new UnauthorizedException(body);
    case CryptoPayErrorCode.WebhookMalformed:
      return new BadRequestException(body);
    case CryptoPayErrorCode.Disabled:
      return new ServiceUnavailableException(body);
    default:
      return err;
  }
}
