import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { DbService } from '../database/db.service';
import { UsersError, UsersErrorCode } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import { assertTelegramId } from '../users/users.service';
import { VpnDesiredStateRepository, vpnTarget } from '../vpn/vpn-desired-state.repository';
import { newSubToken, newVpnUuid } from './grant-rules';
import { PlanCatalog } from './plan-catalog';
import type { Subscription } from './subscription';
import { SubscriptionGrantsService, type GrantResult } from './subscription-grants.service';
import { ReissueTooSoonError, SubscriptionsError, SubscriptionsErrorCode } from './subscriptions.errors';
import { SubscriptionsRepository } from './subscriptions.repository';

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly grants: SubscriptionGrantsService,
    private readonly vpn: VpnDesiredStateRepository,
    private readonly plans: PlanCatalog,
  ) {}

  async getForUser(userId: number): Promise<Subscription | null> {
    assertTelegramId(userId);
    return this.subscriptions.findByUser(userId);
  }

  /** Once per user, and never for someone who already has (or had) a subscription. */
  async startTrial(userId: number): Promise<Subscription> {
    assertTelegramId(userId);
    return this.db.transaction('subscriptions.start-trial', (em) =>
      this.startTrialWithin(em, userId, { days: this.config.subscriptions.trialDays, now: this.clock.now() }),
    );
  }

  /** The trial rules in the caller's transaction, for a trial of `days` (a promo code may give a longer one). */
  async startTrialWithin(
    em: EntityManager,
    userId: number,
    t: { days: number; now: Date },
  ): Promise<Subscription> {
    const user = await this.users.lock(em, userId);
    if (!user) throw new UsersError(UsersErrorCode.UserNotFound, `user ${userId} not found`);
    if (user.trialUsedAt)
      throw new SubscriptionsError(SubscriptionsErrorCode.TrialAlreadyUsed, 'the trial was used already');
    if (await this.subscriptions.lockByUser(em, userId))
      throw new SubscriptionsError(SubscriptionsErrorCode.TrialNotAvailable, 'the user has a subscription');
    await this.users.markTrialUsed(em, userId, t.now);
    const { subscription } = await this.grants.grant(em, {
      userId,
      days: t.days,
      source: 'trial',
      now: t.now,
    });
    return subscription;
  }

  /** Reissue checks again under the lock; this plain read is for the confirmation screen. */
  async assertCanReissue(userId: number): Promise<Subscription> {
    assertTelegramId(userId);
    const current = await this.subscriptions.findByUser(userId);
    if (!current) throw new SubscriptionsError(SubscriptionsErrorCode.NoSubscription, 'no subscription');
    if (current.status !== 'active')
      throw new SubscriptionsError(
        SubscriptionsErrorCode.SubscriptionNotActive,
        'the subscription has ended',
      );
    this.assertReissueCooldownPassed(current, this.clock.now());
    return current;
  }

  /** At most once per KEY_REISSUE_COOLDOWN_MINUTES, checked under the row lock so a double press reissues once. */
  async reissue(userId: number): Promise<Subscription> {
    assertTelegramId(userId);
    return this.db.transaction('subscriptions.reissue', async (em) => {
      const current = await this.lockActive(em, userId);
      const now = this.clock.now();
      this.assertReissueCooldownPassed(current, now);
      const subscription = await this.subscriptions.replaceCredentials(em, {
        id: current.id,
        vpnUuid: newVpnUuid(),
        subToken: newSubToken(),
        now,
      });
      // Queued in this order, so the worker frees the e-mail on the core before adding the new UUID.
      await this.vpn.revoke(em, vpnTarget(current));
      await this.vpn.provision(em, vpnTarget(subscription), { notifyUser: true });
      return subscription;
    });
  }

  async setAutoRenew(userId: number, enabled: boolean): Promise<Subscription> {
    assertTelegramId(userId);
    return this.db.transaction('subscriptions.set-auto-renew', async (em) => {
      await this.users.lock(em, userId);
      const current = await this.subscriptions.lockByUser(em, userId);
      if (!current) throw new SubscriptionsError(SubscriptionsErrorCode.NoSubscription, 'no subscription');
      if (enabled) {
        if (!current.planCode)
          throw new SubscriptionsError(
            SubscriptionsErrorCode.AutoRenewNeedsPlan,
            'buy a plan before switching on auto-renewal',
          );
        this.plans.get(current.planCode);
      }
      return this.subscriptions.setAutoRenew(em, current.id, enabled);
    });
  }

  /** `requestKey` (e.g. `tg:<update_id>`) makes a redelivered admin request a no-op instead of a second grant. */
  async grantByAdmin(input: { userId: number; days: number; requestKey?: string }): Promise<GrantResult> {
    assertTelegramId(input.userId);
    return this.db.transaction('subscriptions.admin-grant', (em) =>
      this.grants.grant(em, {
        userId: input.userId,
        days: input.days,
        source: 'admin',
        requestKey: input.requestKey ?? null,
        now: this.clock.now(),
      }),
    );
  }

  /** A ban revokes the key but keeps the expiry, so an unban restores the time left. */
  async setBanned(userId: number, banned: boolean): Promise<{ changed: boolean } | null> {
    assertTelegramId(userId);
    return this.db.transaction('subscriptions.set-banned', async (em) => {
      if (!(await this.users.lock(em, userId))) return null;
      if (!(await this.users.setBanned(em, userId, banned))) return { changed: false };
      const current = await this.subscriptions.lockByUser(em, userId);
      if (current?.status === 'active') {
        if (banned) await this.vpn.revoke(em, vpnTarget(current));
        else await this.vpn.provision(em, vpnTarget(current), { notifyUser: false });
      }
      return { changed: true };
    });
  }

  private assertReissueCooldownPassed(sub: Subscription, now: Date): void {
    const cooldown = this.config.bot.keyReissueCooldownMs;
    if (!sub.reissuedAt || cooldown === 0) return;
    const left = sub.reissuedAt.getTime() + cooldown - now.getTime();
    if (left > 0) throw new ReissueTooSoonError(left);
  }

  private async lockActive(em: EntityManager, userId: number): Promise<Subscription> {
    if (!(await this.users.lock(em, userId)))
      throw new UsersError(UsersErrorCode.UserNotFound, `user ${userId} not found`);
    const current = await this.subscriptions.lockByUser(em, userId);
    if (!current) throw new SubscriptionsError(SubscriptionsErrorCode.NoSubscription, 'no subscription');
    if (current.status !== 'active')
      throw new SubscriptionsError(
        SubscriptionsErrorCode.SubscriptionNotActive,
        'the subscription has ended',
      );
    return current;
  }
}
