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
import { UserEntity } from '../users/user.entity';
import { bigintNumber, oneOf } from '../database/column-types';

export const notificationStates = ['pending', 'sending', 'sent', 'failed', 'cancelled', 'merged'] as const;
export type NotificationState = (typeof notificationStates)[number];

@Entity('notifications')
@Check('notifications_state_valid', oneOf('state', notificationStates))
@Check('notifications_attempts_non_negative', '"attempts" >= 0')
@Check('notifications_merged_has_target', `("state" = 'merged') = ("merged_into" IS NOT NULL)`)
@Index('notifications_due_idx', ['state', 'nextAttemptAt'])
export class NotificationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('notifications_user_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintNumber })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text' })
  kind!: string;

  @Index('notifications_dedupe_key_uq', { unique: true })
  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload!: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  state!: NotificationState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** A notice sent inside another (state `merged`): that notice's id. */
  @Index('notifications_merged_into_idx', { where: '"merged_into" IS NOT NULL' })
  @Column({ name: 'merged_into', type: 'bigint', nullable: true })
  mergedInto!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
