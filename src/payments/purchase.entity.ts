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
import { PlanEntity } from '../subscriptions/plan.entity';
import { UserEntity } from '../users/user.entity';

export const purchaseKinds = ['subscription', 'topup', 'gift'] as const;
export type PurchaseKind = (typeof purchaseKinds)[number];
export const purchaseStatuses = ['pending', 'paid', 'expired', 'failed', 'refunded'] as const;
export type PurchaseStatus = (typeof purchaseStatuses)[number];
export const paymentProviders = ['balance', 'crypto_pay', 'stars', 'admin'] as const;
export type PaymentProvider = (typeof paymentProviders)[number];

@Entity('purchases')
@Check('purchases_kind_valid', oneOf('kind', purchaseKinds))
@Check('purchases_status_valid', oneOf('status', purchaseStatuses))
@Check('purchases_provider_valid', oneOf('provider', paymentProviders))
@Check('purchases_amount_positive', '"amount_minor" > 0')
@Check('purchases_plan_matches_kind', '("kind" IN (\'subscription\', \'gift\')) = ("plan_code" IS NOT NULL)')
@Check(
  'purchases_discount_valid',
  '("promo_redemption_id" IS NULL) = ("discount_percent" IS NULL) AND ("discount_percent" IS NULL OR "discount_percent" BETWEEN 1 AND 99)',
)
// A discount is spent by at most one live purchase; an expired or failed one gives it back.
@Index('purchases_promo_redemption_uq', ['promoRedemptionId'], {
  unique: true,
  where: "\"promo_redemption_id\" IS NOT NULL AND \"status\" IN ('pending', 'paid', 'refunded')",
})
@Check('purchases_paid_has_time', '"status" NOT IN (\'paid\', \'refunded\') OR "paid_at" IS NOT NULL')
@Index('purchases_provider_invoice_uq', ['provider', 'providerInvoiceId'], {
  unique: true,
  where: '"provider_invoice_id" IS NOT NULL',
})
@Index('purchases_provider_charge_uq', ['provider', 'providerChargeId'], {
  unique: true,
  where: '"provider_charge_id" IS NOT NULL',
})
@Index('purchases_pending_idx', ['status', 'provider', 'createdAt'])
export class PurchaseEntity {
  /** Also the payload given to payment providers: random, so it cannot be guessed. */
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('purchases_user_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintNumber })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text' })
  kind!: PurchaseKind;

  @Column({ name: 'plan_code', type: 'text', nullable: true })
  planCode!: string | null;

  @ManyToOne(() => PlanEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_code' })
  plan?: PlanEntity;

  /** What the user pays, in minor units of `currency` (Stars: whole stars, currency XTR). */
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumber })
  amountMinor!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'credit_minor', type: 'bigint', nullable: true, transformer: bigintNumber })
  creditMinor!: number | null;

  @Column({ type: 'text', default: 'pending' })
  status!: PurchaseStatus;

  @Column({ type: 'text' })
  provider!: PaymentProvider;

  @Column({ name: 'provider_invoice_id', type: 'text', nullable: true })
  providerInvoiceId!: string | null;

  @Column({ name: 'provider_charge_id', type: 'text', nullable: true })
  providerChargeId!: string | null;

  @Column({ name: 'invoice_url', type: 'text', nullable: true })
  invoiceUrl!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt!: Date | null;

  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true })
  refundedAt!: Date | null;

  /** The request that created it (`tg:<update_id>`): a redelivered update finds this purchase again. */
  @Index('purchases_request_key_uq', { unique: true, where: '"request_key" IS NOT NULL' })
  @Column({ name: 'request_key', type: 'text', nullable: true })
  requestKey!: string | null;

  @Column({ name: 'promo_redemption_id', type: 'uuid', nullable: true })
  promoRedemptionId!: string | null;

  @Column({ name: 'discount_percent', type: 'integer', nullable: true })
  discountPercent!: number | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
