import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { StarsError, StarsErrorCode } from './stars.errors';

/**
 * The one Bot API method the Stars flow calls itself. telegraf 4.16 predates Stars (Bot API 7.4) and has no
 * refundStarPayment, and importing the telegram module from payments would point a dependency backwards,
 * so this is a plain fetch to TELEGRAM_API_ROOT with a deadline.
 */
@Injectable()
export class StarsApiClient {
  constructor(private readonly config: AppConfig) {}

  /** True when Telegram returned the Stars, or had already returned them for this charge. */
  async refundStarPayment(
    r: { userId: number; telegramPaymentChargeId: string },
    o: { signal?: AbortSignal } = {},
  ): Promise<{ alreadyRefunded: boolean }> {
    try {
      await this.call(
        'refundStarPayment',
        { user_id: r.userId, telegram_payment_charge_id: r.telegramPaymentChargeId },
        o,
      );
      return { alreadyRefunded: false };
    } catch (err) {
      if (err instanceof StarsError && /CHARGE_ALREADY_REFUNDED/.test(err.api?.description ?? ''))
        return { alreadyRefunded: true };
      throw err;
    }
  }

  private async call(
    method: string,
    params: Record<string, unknown>,
    o: { signal?: AbortSignal },
  ): Promise<unknown> {
    const { apiRoot, botToken, apiTimeoutMs } = this.config.telegram;
    const deadline = AbortSignal.timeout(apiTimeoutMs);
    let status: number;
    let body: { ok?: boolean; result?: unknown; error_code?: number; description?: string };
    try {
      const res = await fetch(`${apiRoot}/bot${botToken}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: o.signal ? AbortSignal.any([o.signal, deadline]) : deadline,
      });
      status = res.status;
      body = (await res.json()) as typeof body;
    } catch (err) {
      const why = deadline.aborted ? `no answer within ${apiTimeoutMs} ms` : (err as Error).message;
      // The URL holds the bot token: never put it (or fetch's message quoting it) into the error.
      throw new StarsError(StarsErrorCode.Unavailable, `${method}: ${why.replace(botToken, '***')}`);
    }
    if (body?.ok === true) return body.result;
    const errorCode = body?.error_code ?? status;
    const description = body?.description ?? `HTTP ${status}`;
    throw new StarsError(StarsErrorCode.ApiError, `${method}: ${errorCode} ${description}`, {
      errorCode,
      description,
    });
  }
}
