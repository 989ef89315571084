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
import { SubscriptionEntity } from '../subscriptions/subscription.entity';
import { bigintNumber, oneOf } from '../database/column-types';
import { VpnNodeEntity } from './vpn-node.entity';

export const vpnOperationKinds = ['provision', 'revoke'] as const;
export type VpnOperationKind = (typeof vpnOperationKinds)[number];
export const vpnOperationStates = ['pending', 'in_progress', 'done', 'failed', 'superseded'] as const;
export type VpnOperationState = (typeof vpnOperationStates)[number];

/** Written with the subscription change; delivered with no connection held during the provider call. */
@Entity('vpn_operations')
@Check('vpn_operations_kind_valid', oneOf('kind', vpnOperationKinds))
@Check('vpn_operations_state_valid', oneOf('state', vpnOperationStates))
@Check('vpn_operations_attempts_non_negative', '"attempts" >= 0')
@Index('vpn_operations_due_idx', ['state', 'nextAttemptAt'])
@Index('vpn_operations_lane_idx', ['nodeCode', 'state', 'nextAttemptAt'])
// A subscription's operations on one node, newest last: the claim's ordering check, the backfill's
// "latest there" and the placement look-ups probe it instead of walking the primary key.
@Index('vpn_operations_subscription_node_idx', ['subscriptionId', 'nodeCode', 'id'])
export class VpnOperationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('vpn_operations_subscription_idx')
  @Column({ name: 'subscription_id', type: 'bigint' })
  subscriptionId!: string;

  @ManyToOne(() => SubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'subscription_id' })
  subscription?: SubscriptionEntity;

  @Column({ name: 'node_code', type: 'text', default: 'default' })
  nodeCode!: string;

  @ManyToOne(() => VpnNodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'node_code', foreignKeyConstraintName: 'FK_vpn_operations_node' })
  node?: VpnNodeEntity;

  @Column({ name: 'user_id', type: 'bigint', transformer: bigintNumber })
  userId!: number;

  @Column({ type: 'text' })
  kind!: VpnOperationKind;

  @Column({ name: 'vpn_uuid', type: 'uuid' })
  vpnUuid!: string;

  @Column({ name: 'vpn_email', type: 'text' })
  vpnEmail!: string;

  @Column({ type: 'text', default: 'pending' })
  state!: VpnOperationState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'notify_user', type: 'boolean', default: false })
  notifyUser!: boolean;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
