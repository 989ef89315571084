import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../clock/clock';
import type { JobContext, JobResult } from '../../../jobs/job.types';
import { CryptoPaySettlementService, type SettlementOutcome } from './crypto-pay-settlement.service';
import { CryptoPayClient, GET_INVOICES_MAX_IDS } from './crypto-pay.client';
import { CryptoPayRepository, type InvoiceCursor, type PendingInvoice } from './crypto-pay.repository';

const MAX_BATCHES_PER_ITERATION = 10;

/** Webhooks can be missed, so open invoices are polled, each in its own short transaction. */
@Injectable()
export class CryptoPayWatcherService {
  private readonly logger = new Logger('CryptoPayWatcher');

  constructor(
    private readonly client: CryptoPayClient,
    private readonly repository: CryptoPayRepository,
    private readonly settlement: CryptoPaySettlementService,
    private readonly clock: Clock,
  ) {}

  async run(ctx: JobContext): Promise<JobResult> {
    let processed = 0;
    let failed = 0;
    const counts: Record<string, number> = {};
    let after: InvoiceCursor | undefined;
    for (let batch = 0; batch < MAX_BATCHES_PER_ITERATION && !ctx.signal.aborted; batch++) {
      const pending = await this.repository.pendingInvoices({ limit: GET_INVOICES_MAX_IDS, after });
      if (pending.length === 0) break;
      const invoices = await this.client.getInvoices(
        pending.map((p) => p.invoiceId),
        { signal: ctx.signal },
      );
      const byId = new Map(invoices.map((i) => [i.invoice_id, i]));
      for (const p of pending) {
        const invoice = byId.get(p.invoiceId);
        if (ctx.signal.aborted) continue;
        try {
          const outcome = invoice
            ? await this.settlement.settle(p.purchaseId, invoice)
            : await this.unknownInvoice(p);
          counts[outcome] = (counts[outcome] ?? 0) + 1;
          if (outcome === 'refused') failed++;
          else if (outcome !== 'still_active') processed++;
        } catch (err) {
          failed++;
          this.logger.error(
            `settling invoice ${p.invoiceId} of purchase ${p.purchaseId} failed: ${(err as Error).message}`,
            (err as Error).stack,
          );
        }
      }
      ctx.progress();
      const last = pending[pending.length - 1];
      after = { createdAt: last.createdAt, purchaseId: last.purchaseId };
      if (pending.length < GET_INVOICES_MAX_IDS) break;
    }
    if (Object.keys(counts).length) this.logger.log(`invoices ${JSON.stringify(counts)}`);
    return { processed, failed };
  }

  /** Crypto Pay does not list the invoice (deleted): nothing can be paid on it once the purchase is due. */
  private async unknownInvoice(p: PendingInvoice): Promise<SettlementOutcome> {
    if (!p.expiresAt || p.expiresAt > this.clock.now()) return 'still_active';
    return (await this.repository.markExpired(p.purchaseId, 'invoice unknown to Crypto Pay'))
      ? 'expired'
      : 'already_credited';
  }
}
