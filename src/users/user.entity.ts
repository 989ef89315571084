import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintNumber } from '../database/column-types';

@Entity('users')
@Check('users_balance_non_negative', '"balance_minor" >= 0')
@Check('users_no_self_referral', '"referrer_id" IS NULL OR "referrer_id" <> "id"')
export class UserEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  id!: number;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Column({ name: 'first_name', type: 'text', nullable: true })
  firstName!: string | null;

  @Column({ name: 'language_code', type: 'text', default: 'en' })
  languageCode!: string;

  /** Balance in minor units of the balance currency; changed only together with a balance_ledger row. */
  @Column({ name: 'balance_minor', type: 'bigint', default: 0, transformer: bigintNumber })
  balanceMinor!: number;

  @Index('users_referrer_idx')
  @Column({ name: 'referrer_id', type: 'bigint', nullable: true, transformer: bigintNumber })
  referrerId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'referrer_id' })
  referrer?: UserEntity;

  @Column({ name: 'trial_used_at', type: 'timestamptz', nullable: true })
  trialUsedAt!: Date | null;

  @Column({ name: 'blocked_at', type: 'timestamptz', nullable: true })
  blockedAt!: Date | null;

  @Column({ name: 'is_banned', type: 'boolean', default: false })
  isBanned!: boolean;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
