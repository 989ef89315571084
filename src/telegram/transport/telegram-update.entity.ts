import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, oneOf } from '../../database/column-types';

export const updateStates = ['pending', 'processing', 'done', 'failed'] as const;
export type UpdateState = (typeof updateStates)[number];

@Entity('telegram_updates')
@Check('telegram_updates_state_valid', oneOf('state', updateStates))
@Index('telegram_updates_work_idx', ['state', 'chatId', 'updateId'])
export class TelegramUpdateEntity {
  @PrimaryColumn({ name: 'update_id', type: 'bigint', transformer: bigintNumber })
  updateId!: number;

  @Column({ name: 'chat_id', type: 'bigint', nullable: true, transformer: bigintNumber })
  chatId!: number | null;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  state!: UpdateState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
