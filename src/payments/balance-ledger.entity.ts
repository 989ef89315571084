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
import { bigintNumber, oneOf } from '../database/column-types';
import { UserEntity } from '../users/user.entity';

export const ledgerReasons = [
  'topup',
  'purchase',
  'refund',
  'referral_reward',
  'admin',
  'auto_renew',
  'promo',
  'gift_refund',
] as const;
export type LedgerReason = (typeof ledgerReasons)[number];

/** Every balance change, append-only. (reason, reference) is unique so an effect can never be applied twice. */
@Entity('balance_ledger')
@Check('balance_ledger_reason_valid', oneOf('reason', ledgerReasons))
@Check('balance_ledger_delta_non_zero', '"delta_minor" <> 0')
@Check('balance_ledger_after_non_negative', '"balance_after" >= 0')
@Index('balance_ledger_reference_uq', ['reason', 'reference'], { unique: true })
export class BalanceLedgerEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('balance_ledger_user_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintNumber })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'delta_minor', type: 'bigint', transformer: bigintNumber })
  deltaMinor!: number;

  @Column({ name: 'balance_after', type: 'bigint', transformer: bigintNumber })
  balanceAfter!: number;

  @Column({ type: 'text' })
  reason!: LedgerReason;

  @Column({ type: 'text' })
  reference!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
