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
import { bigintNumber } from '../database/column-types';
import { UserEntity } from '../users/user.entity';
import { PurchaseEntity } from './purchase.entity';

@Entity('referral_rewards')
@Check('referral_rewards_amount_positive', '"amount_minor" > 0')
@Check('referral_rewards_not_self', '"referrer_id" <> "referee_id"')
@Check('referral_rewards_owed_valid', '"owed_minor" >= 0 AND "owed_minor" <= "amount_minor"')
export class ReferralRewardEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('referral_rewards_referrer_idx')
  @Column({ name: 'referrer_id', type: 'bigint', transformer: bigintNumber })
  referrerId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'referrer_id' })
  referrer?: UserEntity;

  @Column({ name: 'referee_id', type: 'bigint', transformer: bigintNumber })
  refereeId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'referee_id' })
  referee?: UserEntity;

  /** One reward per purchase, ever. */
  @Index('referral_rewards_purchase_uq', { unique: true })
  @Column({ name: 'purchase_id', type: 'uuid' })
  purchaseId!: string;

  @ManyToOne(() => PurchaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'purchase_id' })
  purchase?: PurchaseEntity;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumber })
  amountMinor!: number;

  /** Clawed back on a refund but already spent: owed, and taken from the referrer's next rewards. */
  @Column({ name: 'owed_minor', type: 'bigint', default: 0, transformer: bigintNumber })
  owedMinor!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
