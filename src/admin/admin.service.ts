import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { PaymentsError, PaymentsErrorCode } from '../payments/payments.errors';
import type { Purchase } from '../payments/purchase';
import { PurchasesService } from '../payments/purchases.service';
import { StarsService } from '../payments/providers/stars/stars.service';
import type { Subscription } from '../subscriptions/subscription';
import type { GrantResult } from '../subscriptions/subscription-grants.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { UsersError, UsersErrorCode } from '../users/users.errors';
import type { FailedOperation } from '../vpn/vpn-operations.repository';
import { VpnOperationsService } from '../vpn/vpn-operations.service';
import type { UserRef } from '../telegram/bot/admin/admin-args';
import { PromoAdminService } from '../promo/promo-admin.service';
import { AdminRepository, type AdminStats, type UserProfile } from './admin.repository';

const PROFILE_PURCHASES = 5;
const FAILED_LIST = 20;
const RETRY_ALL_MAX = 500;

export type RefundOutcome =
  | { kind: 'not_found' }
  | { kind: 'not_refundable'; purchase: Purchase }
  | {
      kind: 'done';
      outcome: 'refunded' | 'already_refunded';
      starsReturned?: boolean;
      balanceAfter?: number | null;
    };

/** Access changes, refunds and requeues go through their owning services; this class adds lookups. */
@Injectable()
export class AdminService {
  private readonly logger = new Logger('AdminService');

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repo: AdminRepository,
    private readonly subscriptions: SubscriptionsService,
    private readonly purchases: PurchasesService,
    private readonly stars: StarsService,
    private readonly vpnOperations: VpnOperationsService,
    private readonly promo: PromoAdminService,
  ) {}

  isAdmin(userId: number | undefined): boolean {
    return userId !== undefined && this.config.bot.adminIds.has(userId);
  }

  async stats(): Promise<AdminStats> {
    return { ...(await this.repo.stats(this.clock.now())), promo: await this.promo.stats() };
  }

  async findUser(ref: UserRef): Promise<{ profile: UserProfile; subscription: Subscription | null } | null> {
    const user = await this.repo.findUser(ref);
    if (!user) return null;
    const extras = await this.repo.profileExtras(user, PROFILE_PURCHASES);
    const subscription = await this.subscriptions.getForUser(user.id);
    return { profile: { user, ...extras }, subscription };
  }

  async grant(input: {
    userId: number;
    days: number;
    by: number;
    /** `tg:<update_id>`: the same command delivered again grants nothing more. */
    requestKey?: string;
  }): Promise<GrantResult | null> {
    try {
      const result = await this.subscriptions.grantByAdmin({
        userId: input.userId,
        days: input.days,
        requestKey: input.requestKey,
      });
      if (result.duplicate) return result;
      this.logger.log(
        `admin ${input.by} granted ${input.days} days to ${input.userId} (until ${result.subscription.expiresAt.toISOString()}, ${result.issued ? 'new key' : 'same key'})`,
      );
      return result;
    } catch (err) {
      if (err instanceof UsersError && err.code === UsersErrorCode.UserNotFound) return null;
      throw err;
    }
  }

  /** 'admin': admins cannot be blocked (it would lock them out of /unblock). */
  async setBlocked(input: {
    userId: number;
    blocked: boolean;
    by: number;
  }): Promise<{ changed: boolean } | null | 'admin'> {
    if (input.blocked && this.isAdmin(input.userId)) return 'admin';
    const result = await this.subscriptions.setBanned(input.userId, input.blocked);
    if (result?.changed)
      this.logger.log(`admin ${input.by} ${input.blocked ? 'blocked' : 'unblocked'} user ${input.userId}`);
    return result;
  }

  listFailed(): Promise<FailedOperation[]> {
    return this.vpnOperations.listFailed(FAILED_LIST);
  }

  async retry(
    target: { all: true } | { id: string },
  ): Promise<{ requeued: { id: string; node: string }[]; refused: string[] }> {
    const ids =
      'id' in target ? [target.id] : (await this.vpnOperations.listFailed(RETRY_ALL_MAX)).map((o) => o.id);
    const requeued = new Map((await this.vpnOperations.retryMany(ids)).map((r) => [r.id, r.nodeCode]));
    return {
      requeued: ids.filter((id) => requeued.has(id)).map((id) => ({ id, node: requeued.get(id)! })),
      refused: ids.filter((id) => !requeued.has(id)),
    };
  }

  async refundPreview(
    purchaseId: string,
  ): Promise<{ kind: 'ok'; purchase: Purchase } | Exclude<RefundOutcome, { kind: 'done' }>> {
    const purchase = await this.findPurchase(purchaseId);
    if (!purchase) return { kind: 'not_found' };
    if (!this.refundable(purchase)) return { kind: 'not_refundable', purchase };
    return { kind: 'ok', purchase };
  }

  /** Both refund paths are idempotent, so a repeated confirmation reports "already refunded". */
  async refund(purchaseId: string, by: number): Promise<RefundOutcome> {
    const purchase = await this.findPurchase(purchaseId);
    if (!purchase) return { kind: 'not_found' };
    // Refunded Stars go to StarsService again: it finishes a refund whose Stars Telegram did not return.
    if (purchase.status === 'refunded' && purchase.provider !== 'stars')
      return { kind: 'done', outcome: 'already_refunded' };
    if (!this.refundable(purchase)) return { kind: 'not_refundable', purchase };
    const reason = `admin ${by}`;
    this.logger.log(`admin ${by} refunds purchase ${purchaseId} (${purchase.provider})`);
    if (purchase.provider === 'stars') {
      const r = await this.stars.refund(purchaseId, { reason });
      return {
        kind: 'done',
        outcome: r.outcome,
        starsReturned: r.starsReturned,
        balanceAfter: r.balanceAfter,
      };
    }
    const r = await this.purchases.refund({ purchaseId, reason });
    return { kind: 'done', outcome: r.outcome, balanceAfter: r.balanceAfter };
  }

  private refundable(p: Purchase): boolean {
    if (p.provider === 'stars') return p.status === 'paid' || p.status === 'refunded';
    return p.provider === 'balance' && p.status === 'paid';
  }

  private async findPurchase(id: string): Promise<Purchase | null> {
    try {
      return await this.purchases.get(id);
    } catch (err) {
      if (err instanceof PaymentsError && err.code === PaymentsErrorCode.PurchaseNotFound) return null;
      throw err;
    }
  }
}
