import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintNumber, oneOf } from '../database/column-types';
import { UserEntity } from '../users/user.entity';

export const subscriptionStatuses = ['active', 'expired', 'revoked'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];
export const grantSources = ['trial', 'purchase', 'auto_renew', 'admin', 'promo', 'gift'] as const;
export type GrantSource = (typeof grantSources)[number];

@Entity('subscriptions')
@Check('subscriptions_status_valid', oneOf('status', subscriptionStatuses))
@Check('subscriptions_email_lowercase', '"vpn_email" = lower("vpn_email") AND "vpn_email" <> \'\'')
@Index('subscriptions_due_idx', ['status', 'expiresAt'])
export class SubscriptionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('subscriptions_user_uq', { unique: true })
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintNumber })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text', default: 'active' })
  status!: SubscriptionStatus;

  @Column({ name: 'is_trial', type: 'boolean', default: false })
  isTrial!: boolean;

  @Column({ name: 'plan_code', type: 'text', nullable: true })
  planCode!: string | null;

  @Index('subscriptions_vpn_uuid_uq', { unique: true })
  @Column({ name: 'vpn_uuid', type: 'uuid' })
  vpnUuid!: string;

  @Index('subscriptions_vpn_email_uq', { unique: true })
  @Column({ name: 'vpn_email', type: 'text' })
  vpnEmail!: string;

  @Index('subscriptions_sub_token_uq', { unique: true })
  @Column({ name: 'sub_token', type: 'text' })
  subToken!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'auto_renew', type: 'boolean', default: false })
  autoRenew!: boolean;

  @Column({ name: 'last_grant_source', type: 'text' })
  lastGrantSource!: GrantSource;

  @Column({ name: 'reissued_at', type: 'timestamptz', nullable: true })
  reissuedAt!: Date | null;

  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
