import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../clock/clock';
import { AppConfig } from '../../../config/app-config';
import { isPurchaseId } from '../../purchase';
import { verifyCryptoPaySignature } from './crypto-pay-signature';
import { CryptoPaySettlementService, type SettlementOutcome } from './crypto-pay-settlement.service';
import { CryptoPayError, CryptoPayErrorCode } from './crypto-pay.errors';
import { CryptoPayRepository } from './crypto-pay.repository';
import type { CryptoPayUpdate } from './crypto-pay.types';

export interface WebhookDelivery {
  rawBody: Buffer | undefined;
  body: unknown;
  signature: string | undefined;
}

export type WebhookOutcome = SettlementOutcome | 'duplicate' | 'ignored';

/** Signature first: nothing is read or written before it verifies; a replay is a no-op. */
@Injectable()
export class CryptoPayWebhookService {
  private readonly logger = new Logger('CryptoPayWebhook');

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: CryptoPayRepository,
    private readonly settlement: CryptoPaySettlementService,
  ) {}

  async receive(d: WebhookDelivery): Promise<WebhookOutcome> {
    const { enabled, token, webhookMaxAgeS } = this.config.cryptoPay;
    if (!enabled || !token)
      throw new CryptoPayError(
        CryptoPayErrorCode.Disabled,
        'Crypto Pay is not configured (CRYPTO_PAY_TOKEN unset)',
      );
    if (!verifyCryptoPaySignature({ token, signature: d.signature, rawBody: d.rawBody, parsedBody: d.body }))
      throw new CryptoPayError(
        CryptoPayErrorCode.WebhookUnauthorized,
        'missing or invalid crypto-pay-api-signature',
      );
    const update = parseUpdate(d.body);
    if (webhookMaxAgeS > 0) {
      const ageMs = this.clock.now().getTime() - Date.parse(update.request_date);
      if (!(ageMs <= webhookMaxAgeS * 1000))
        throw new CryptoPayError(
          CryptoPayErrorCode.WebhookUnauthorized,
          `update ${update.update_id} is older than ${webhookMaxAgeS} s (request_date ${update.request_date})`,
        );
    }
    const invoice = update.payload;
    const purchaseId =
      update.update_type === 'invoice_paid'
        ? isPurchaseId(invoice.payload)
          ? invoice.payload
          : await this.repository.purchaseIdOfInvoice(invoice.invoice_id)
        : null;
    const fresh = await this.repository.recordUpdate({
      updateId: update.update_id,
      purchaseId,
      payload: update,
    });
    if (update.update_type !== 'invoice_paid') return 'ignored';
    if (!purchaseId) {
      this.logger.error(
        `paid invoice ${invoice.invoice_id} (update ${update.update_id}) matches no purchase`,
      );
      return 'refused';
    }
    // A replay is a no-op, unless the first delivery was stored but never settled (a crash in between).
    if (!fresh && !OPEN_STATUSES.has((await this.repository.statusOf(purchaseId)) ?? '')) return 'duplicate';
    return this.settlement.settle(purchaseId, invoice);
  }
}

const OPEN_STATUSES = new Set(['pending', 'expired']);

function parseUpdate(body: unknown): CryptoPayUpdate {
  const u = body as Partial<CryptoPayUpdate> | null;
  const p = u?.payload as Partial<CryptoPayUpdate['payload']> | undefined;
  if (
    !u ||
    typeof u !== 'object' ||
    !Number.isSafeInteger(u.update_id) ||
    typeof u.update_type !== 'string' ||
    typeof u.request_date !== 'string' ||
    !p ||
    typeof p !== 'object' ||
    !Number.isSafeInteger(p.invoice_id) ||
    typeof p.status !== 'string' ||
    typeof p.amount !== 'string'
  )
    throw new CryptoPayError(CryptoPayErrorCode.WebhookMalformed, 'body is not a Crypto Pay update');
  return u as CryptoPayUpdate;
}
