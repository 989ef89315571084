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
import { bigintNumber, oneOf } from '../../database/column-types';
import { UserEntity } from '../../users/user.entity';
import { PurchaseEntity } from '../purchase.entity';

export const giftStatuses = ['open', 'redeemed', 'refunded'] as const;
export type GiftStatus = (typeof giftStatuses)[number];

/** Only a SHA-256 of the link token is kept; a new link replaces the old. */
@Entity('gifts')
@Check('gifts_status_valid', oneOf('status', giftStatuses))
@Check('gifts_days_positive', '"days" > 0')
@Check('gifts_redeemed_has_recipient', '("status" = \'redeemed\') = ("recipient_id" IS NOT NULL)')
@Index('gifts_open_idx', ['status', 'expiresAt'])
export class GiftEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('gifts_purchase_uq', { unique: true })
  @Column({ name: 'purchase_id', type: 'uuid' })
  purchaseId!: string;

  @ManyToOne(() => PurchaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'purchase_id' })
  purchase?: PurchaseEntity;

  @Index('gifts_buyer_idx')
  @Column({ name: 'buyer_id', type: 'bigint', transformer: bigintNumber })
  buyerId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'buyer_id' })
  buyer?: UserEntity;

  @Column({ name: 'plan_code', type: 'text' })
  planCode!: string;

  @Column({ type: 'integer' })
  days!: number;

  /** What an unredeemed gift gives back to the buyer's balance (minor units of the balance currency). */
  @Column({ name: 'refund_minor', type: 'bigint', transformer: bigintNumber })
  refundMinor!: number;

  @Index('gifts_token_hash_uq', { unique: true, where: '"token_hash" IS NOT NULL' })
  @Column({ name: 'token_hash', type: 'text', nullable: true })
  tokenHash!: string | null;

  @Column({ type: 'text', default: 'open' })
  status!: GiftStatus;

  @Column({ name: 'recipient_id', type: 'bigint', nullable: true, transformer: bigintNumber })
  recipientId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recipient_id' })
  recipient?: UserEntity;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'redeemed_at', type: 'timestamptz', nullable: true })
  redeemedAt!: Date | null;

  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true })
  refundedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
