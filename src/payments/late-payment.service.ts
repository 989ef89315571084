import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { DbService } from '../database/db.service';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { PlanCatalog } from '../subscriptions/plan-catalog';
import { priceOf } from '../subscriptions/plan';
import { BalanceLedgerRepository } from './balance-ledger.repository';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';
import { isPurchaseId, type Purchase } from './purchase';
import { checkConfirmation, eventReused } from './purchase-confirmation';
import { PurchasesRepository } from './purchases.repository';
import type { FinalizeInput } from './purchases.service';

export interface LateCreditResult {
  outcome: 'credited' | 'already_paid';
  purchase: Purchase;
  balanceAfter: number | null;
}

/** Money taken after its purchase expired goes to the balance (the user may have bought elsewhere). */
@Injectable()
export class LatePaymentService {
  private readonly logger = new Logger('LatePaymentService');

  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly plans: PlanCatalog,
    private readonly purchases: PurchasesRepository,
    private readonly ledger: BalanceLedgerRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  async credit(input: FinalizeInput): Promise<LateCreditResult> {
    const known = isPurchaseId(input.purchaseId) ? await this.purchases.findById(input.purchaseId) : null;
    if (!known)
      throw new PaymentsError(PaymentsErrorCode.PurchaseNotFound, `purchase ${input.purchaseId} not found`);
    checkConfirmation(known, input);
    const creditMinor = this.creditOf(known);
    const result = await this.db.transaction('purchases.late-credit', async (em) => {
      const now = this.clock.now();
      const seenFor = await this.purchases.eventPurchase(em, input.provider, input.providerEventId);
      if (seenFor && seenFor !== known.id) throw eventReused(input);
      const paid = await this.purchases.markPaidLate(em, {
        id: known.id,
        now,
        providerInvoiceId: input.providerInvoiceId ?? null,
        providerChargeId: input.providerChargeId ?? null,
        creditMinor,
      });
      if (!paid) {
        const current = (await this.purchases.get(em, known.id))!;
        if (current.status === 'paid' || current.status === 'refunded')
          return { outcome: 'already_paid' as const, purchase: current, balanceAfter: null };
        throw new PaymentsError(
          PaymentsErrorCode.PurchaseNotPayable,
          `purchase ${known.id} is ${current.status}, not expired`,
        );
      }
      if (
        !(await this.purchases.recordEvent(em, {
          provider: input.provider,
          eventId: input.providerEventId,
          purchaseId: paid.id,
          payload: input.payload,
        }))
      )
        throw eventReused(input);
      const balanceAfter = await this.ledger.apply(em, {
        userId: paid.userId,
        deltaMinor: creditMinor,
        reason: 'topup',
        reference: paid.id,
      });
      await this.notifications.enqueue(em, {
        userId: paid.userId,
        kind: 'topup_received',
        dedupeKey: dedupeKeys.topup(paid.id),
        payload: {
          purchaseId: paid.id,
          amountMinor: creditMinor,
          currency: this.config.payments.balanceCurrency,
          balanceAfter,
        },
      });
      return { outcome: 'credited' as const, purchase: paid, balanceAfter };
    });
    if (result.outcome === 'credited')
      this.logger.warn(
        `${input.provider} payment for expired purchase ${known.id} credited to the balance of user ${known.userId}`,
      );
    return result;
  }

  private creditOf(p: Purchase): number {
    if (p.creditMinor) return p.creditMinor;
    const balanceCurrency = this.config.payments.balanceCurrency;
    if (p.currency === balanceCurrency) return p.amountMinor;
    return priceOf(this.plans.get(p.planCode!), balanceCurrency);
  }
}
