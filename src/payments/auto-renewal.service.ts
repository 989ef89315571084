import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { DbService } from '../database/db.service';
import type { JobContext } from '../jobs/job.types';
import { PlanCatalog } from '../subscriptions/plan-catalog';
import { priceOf } from '../subscriptions/plan';
import { periodOf } from '../subscriptions/subscription';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { dedupeKeys } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { UsersRepository } from '../users/users.repository';
import { AutoRenewalRepository } from './auto-renewal.repository';
import { BalanceCheckoutService } from './balance-checkout.service';

export type RenewalOutcome = 'renewed' | 'insufficient_funds' | 'not_due';

export interface AutoRenewalSummary {
  renewed: number;
  insufficientFunds: number;
  failed: number;
}

const PAGE = 100;
const HOUR_MS = 3_600_000;

/** Starts AUTO_RENEW_WINDOW_HOURS before expiry, ahead of the sweep; one transaction each. */
@Injectable()
export class AutoRenewalService {
  private readonly logger = new Logger('AutoRenewal');

  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly repository: AutoRenewalRepository,
    private readonly users: UsersRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly plans: PlanCatalog,
    private readonly checkout: BalanceCheckoutService,
    private readonly notifications: NotificationsRepository,
  ) {}

  async run(ctx: JobContext): Promise<AutoRenewalSummary> {
    const summary: AutoRenewalSummary = { renewed: 0, insufficientFunds: 0, failed: 0 };
    const until = this.windowEnd();
    let afterId = '0';
    while (!ctx.signal.aborted) {
      const page = await this.repository.candidates({
        until,
        afterId,
        limit: PAGE,
        balanceCurrency: this.config.payments.balanceCurrency,
      });
      for (const c of page) {
        if (ctx.signal.aborted) break;
        try {
          const outcome = await this.renew(c.userId);
          if (outcome === 'renewed') summary.renewed++;
          if (outcome === 'insufficient_funds') summary.insufficientFunds++;
          ctx.progress({ processed: 1 });
        } catch (err) {
          summary.failed++;
          ctx.progress({ failed: 1 });
          this.logger.warn(
            `auto-renewal of subscription ${c.subscriptionId} failed: ${(err as Error).message}`,
          );
        }
      }
      if (page.length < PAGE) break;
      afterId = page[page.length - 1].subscriptionId;
    }
    return summary;
  }

  async renew(userId: number): Promise<RenewalOutcome> {
    return this.db.transaction('auto-renewal.renew', async (em) => {
      const now = this.clock.now();
      const user = await this.users.lock(em, userId);
      const sub = user && (await this.subscriptions.lockByUser(em, userId));
      // Checked again under the locks: a manual renewal or the expiry sweep may have got there first.
      if (!user || !sub || sub.status !== 'active' || !sub.autoRenew || !sub.planCode || user.isBanned)
        return 'not_due';
      if (sub.expiresAt > this.windowEnd(now)) return 'not_due';
      const plan = this.plans.find(sub.planCode);
      const currency = this.config.payments.balanceCurrency;
      const price = priceOf(plan, currency);
      if (user.balanceMinor < price) {
        await this.notifications.enqueue(em, {
          userId,
          kind: 'renewal_failed_insufficient_funds',
          dedupeKey: dedupeKeys.renewalFailed(sub.id, sub.expiresAt),
          payload: {
            planCode: plan.code,
            priceMinor: price,
            balanceMinor: user.balanceMinor,
            currency,
            expiresAt: sub.expiresAt.toISOString(),
          },
        });
        return 'insufficient_funds';
      }
      await this.checkout.buy(em, {
        userId,
        plan,
        source: 'auto_renew',
        reference: `${sub.id}:${periodOf(sub.expiresAt)}`,
        now,
      });
      return 'renewed';
    });
  }

  private windowEnd(now = this.clock.now()): Date {
    return new Date(now.getTime() + this.config.payments.autoRenewWindowHours * HOUR_MS);
  }
}
