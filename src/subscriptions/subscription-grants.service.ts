import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dedupeKeyPrefixes, type NotificationKind } from '../notifications/notification-kinds';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { UsersError, UsersErrorCode } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import { VpnDesiredStateRepository, vpnTarget } from '../vpn/vpn-desired-state.repository';
import { extendExpiry, newSubToken, newVpnUuid, shortenExpiry, vpnEmailFor } from './grant-rules';
import type { Subscription } from './subscription';
import type { GrantSource } from './subscription.entity';
import { SubscriptionsError, SubscriptionsErrorCode } from './subscriptions.errors';
import { SubscriptionsRepository } from './subscriptions.repository';

export interface GrantInput {
  userId: number;
  days: number;
  source: GrantSource;
  purchaseId?: string | null;
  requestKey?: string | null;
  planCode?: string | null;
  now: Date;
}

export interface GrantResult {
  subscription: Subscription;
  issued: boolean;
  expiresBefore: Date | null;
  duplicate?: boolean;
}

/** Notices made stale by a new period: reminders and renewal failures of the old expiry date. */
const PERIOD_NOTICES: NotificationKind[] = [
  'expiring_soon',
  'trial_ending',
  'renewal_failed_insufficient_funds',
];

/** Runs inside the caller's transaction, so money, access and their outbox rows commit together. */
@Injectable()
export class SubscriptionGrantsService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly vpn: VpnDesiredStateRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  async grant(em: EntityManager, g: GrantInput): Promise<GrantResult> {
    if (!Number.isInteger(g.days) || g.days <= 0)
      throw new SubscriptionsError(SubscriptionsErrorCode.InvalidDays, `cannot grant ${g.days} days`);
    const user = await this.users.lock(em, g.userId);
    if (!user) throw new UsersError(UsersErrorCode.UserNotFound, `user ${g.userId} not found`);
    const current = await this.subscriptions.lockByUser(em, g.userId);
    // The user row lock above serialises grants per user, so this check cannot race its own insert.
    const earlier = g.requestKey ? await this.subscriptions.grantOfRequest(em, g.requestKey) : null;
    if (earlier && current && earlier.subscriptionId === current.id)
      return { subscription: current, issued: false, expiresBefore: earlier.expiresBefore, duplicate: true };
    if (!current) return this.issue(em, g, user.isBanned);

    const expiresAt = extendExpiry(g.now, current.expiresAt, g.days);
    const subscription = await this.subscriptions.extend(em, {
      id: current.id,
      expiresAt,
      isTrial: g.source === 'trial',
      planCode: g.planCode ?? current.planCode,
      source: g.source,
    });
    await this.record(em, subscription, g, current.expiresAt);
    // A lapsed key was revoked and comes back with its UUID; a banned user's key waits for the unban.
    if (current.status !== 'active' && !user.isBanned)
      await this.vpn.provision(em, vpnTarget(subscription), { notifyUser: true });
    await this.notifications.cancelPending(em, {
      userId: g.userId,
      kinds: PERIOD_NOTICES,
      dedupePrefixes: [dedupeKeyPrefixes.reminder(current.id), dedupeKeyPrefixes.renewalFailed(current.id)],
    });
    return { subscription, issued: false, expiresBefore: current.expiresAt };
  }

  /** If taking the grant's days off the end leaves nothing, the subscription ends now and its key is revoked. */
  async takeBack(
    em: EntityManager,
    r: { purchaseId: string; userId: number; now: Date },
  ): Promise<Subscription | null> {
    await this.users.lock(em, r.userId);
    const current = await this.subscriptions.lockByUser(em, r.userId);
    const grant = await this.subscriptions.lockGrantOfPurchase(em, r.purchaseId);
    if (!current || !grant || grant.revokedAt || grant.subscriptionId !== current.id) return current;
    await this.subscriptions.markGrantRevoked(em, grant.id, r.now);
    if (current.status !== 'active') return current;
    const subscription = await this.subscriptions.setExpiry(em, {
      id: current.id,
      expiresAt: shortenExpiry(current.expiresAt, grant.days),
      now: r.now,
    });
    if (subscription.status !== 'active') await this.vpn.revoke(em, vpnTarget(subscription));
    return subscription;
  }

  private async issue(em: EntityManager, g: GrantInput, banned: boolean): Promise<GrantResult> {
    const subscription = await this.subscriptions.insert(em, {
      userId: g.userId,
      vpnUuid: newVpnUuid(),
      vpnEmail: vpnEmailFor(g.userId, this.config.subscriptions.vpnEmailDomain),
      subToken: newSubToken(),
      expiresAt: extendExpiry(g.now, null, g.days),
      isTrial: g.source === 'trial',
      planCode: g.planCode ?? null,
      source: g.source,
    });
    await this.record(em, subscription, g, g.now);
    if (!banned) await this.vpn.provision(em, vpnTarget(subscription), { notifyUser: true });
    return { subscription, issued: true, expiresBefore: null };
  }

  private async record(em: EntityManager, s: Subscription, g: GrantInput, before: Date): Promise<void> {
    await this.subscriptions.insertGrant(em, {
      subscriptionId: s.id,
      source: g.source,
      days: g.days,
      purchaseId: g.purchaseId ?? null,
      requestKey: g.requestKey ?? null,
      expiresBefore: before,
      expiresAfter: s.expiresAt,
    });
  }
}
