import { Injectable, Logger } from '@nestjs/common';
import { TelegramSenderService } from '../../../bot-api/telegram-sender.service';
import type { JobContext, JobResult } from '../../../jobs/job.types';
import { StarsService } from './stars.service';

interface StarTransaction {
  id: string;
  amount: number;
  date: number;
  source?: { type: string; user?: { id: number }; invoice_payload?: string };
  receiver?: unknown;
}

const PAGE = 100;
const MAX_PAGES = 10;

/** Telegram is the record of Stars received: a payment whose update was lost is settled here. */
@Injectable()
export class StarsReconciliationService {
  private readonly logger = new Logger('StarsReconciliation');

  constructor(
    private readonly sender: TelegramSenderService,
    private readonly stars: StarsService,
  ) {}

  async run(ctx: JobContext): Promise<JobResult> {
    if (!this.stars.enabled) return {};
    let processed = 0;
    let failed = 0;
    for (let page = 0; page < MAX_PAGES && !ctx.signal.aborted; page++) {
      const { transactions } = await this.sender.send<{ transactions: StarTransaction[] }>(
        'getStarTransactions',
        { offset: page * PAGE, limit: PAGE },
        { signal: ctx.signal },
      );
      for (const t of transactions) {
        const payer = t.source?.type === 'user' ? t.source.user : undefined;
        const payload = t.source?.invoice_payload;
        if (!payer || !payload || t.receiver || ctx.signal.aborted) continue;
        try {
          const result = await this.stars.onSuccessfulPayment(
            {
              from: { id: payer.id },
              successful_payment: {
                currency: 'XTR',
                total_amount: t.amount,
                invoice_payload: payload,
                telegram_payment_charge_id: t.id,
              },
            },
            { signal: ctx.signal },
          );
          if (result.outcome !== 'already_paid') {
            processed++;
            this.logger.warn(`Stars charge ${t.id} had not been settled: ${result.outcome}`);
          }
        } catch (err) {
          failed++;
          this.logger.error(
            `Stars charge ${t.id} of user ${payer.id} is not settled: ${(err as Error).message}; needs manual review`,
          );
        }
      }
      ctx.progress();
      if (transactions.length < PAGE) break;
    }
    return { processed, failed };
  }
}
