import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintNumber, oneOf } from '../database/column-types';

export const broadcastAudiences = ['all', 'active'] as const;
export type BroadcastAudience = (typeof broadcastAudiences)[number];
export const broadcastStatuses = ['running', 'stopped', 'done'] as const;
export type BroadcastStatus = (typeof broadcastStatuses)[number];

@Entity('broadcasts')
@Check('broadcasts_audience_valid', oneOf('audience', broadcastAudiences))
@Check('broadcasts_status_valid', oneOf('status', broadcastStatuses))
@Check('broadcasts_counts_non_negative', '"sent" >= 0 AND "failed" >= 0')
@Index('broadcasts_running_idx', ['status', 'id'])
export class BroadcastEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  audience!: BroadcastAudience;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'text', default: 'running' })
  status!: BroadcastStatus;

  /** The last user id handled (sent, failed or skipped); 0 before the first. */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  cursor!: number;

  @Column({ type: 'integer', default: 0 })
  sent!: number;

  @Column({ type: 'integer', default: 0 })
  failed!: number;

  @Column({ name: 'created_by', type: 'bigint', transformer: bigintNumber })
  createdBy!: number;

  @Column({ name: 'progress_chat_id', type: 'bigint', nullable: true, transformer: bigintNumber })
  progressChatId!: number | null;

  @Column({ name: 'progress_message_id', type: 'integer', nullable: true })
  progressMessageId!: number | null;

  /** What started it (`tg:<update_id>`): a redelivered command finds its broadcast, makes no other. */
  @Index('broadcasts_request_key_uq', { unique: true })
  @Column({ name: 'request_key', type: 'text', nullable: true })
  requestKey!: string | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
