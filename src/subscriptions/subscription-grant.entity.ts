import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { oneOf } from '../database/column-types';
import { grantSources, type GrantSource, SubscriptionEntity } from './subscription.entity';

@Entity('subscription_grants')
@Check('subscription_grants_source_valid', oneOf('source', grantSources))
@Check('subscription_grants_days_positive', '"days" > 0')
export class SubscriptionGrantEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('subscription_grants_subscription_idx')
  @Column({ name: 'subscription_id', type: 'bigint' })
  subscriptionId!: string;

  @ManyToOne(() => SubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'subscription_id' })
  subscription?: SubscriptionEntity;

  @Column({ type: 'text' })
  source!: GrantSource;

  @Column({ type: 'integer' })
  days!: number;

  /** The purchase that paid for this grant; unique so one purchase can never extend access twice. */
  @Index('subscription_grants_purchase_uq', { unique: true, where: '"purchase_id" IS NOT NULL' })
  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId!: string | null;

  @Index('subscription_grants_request_key_uq', { unique: true, where: '"request_key" IS NOT NULL' })
  @Column({ name: 'request_key', type: 'text', nullable: true })
  requestKey!: string | null;

  @Column({ name: 'expires_before', type: 'timestamptz' })
  expiresBefore!: Date;

  @Column({ name: 'expires_after', type: 'timestamptz' })
  expiresAfter!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
