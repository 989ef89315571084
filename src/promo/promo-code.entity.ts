import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber, oneOf } from '../database/column-types';

export const promoKinds = ['days', 'credit', 'discount', 'trial'] as const;
export type PromoKind = (typeof promoKinds)[number];

/** The CHECK keeps `uses` within the limit even if a writer forgot the conditional UPDATE. */
@Entity('promo_codes')
@Check('promo_codes_kind_valid', oneOf('kind', promoKinds))
@Check('promo_codes_value_positive', '"value" > 0')
@Check('promo_codes_discount_below_100', '"kind" <> \'discount\' OR "value" < 100')
@Check('promo_codes_uses_within_limit', '"uses" >= 0 AND ("max_uses" IS NULL OR "uses" <= "max_uses")')
@Check('promo_codes_code_upper', '"code" = upper("code")')
export class PromoCodeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** Upper case; users may type it in any case. */
  @Index('promo_codes_code_uq', { unique: true })
  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  kind!: PromoKind;

  /** days: days of access; credit: minor units of the balance currency; discount: percent; trial: days. */
  @Column({ type: 'integer' })
  value!: number;

  /** discount only: the plans it applies to (null: every plan). */
  @Column({ name: 'plan_codes', type: 'text', array: true, nullable: true })
  planCodes!: string[] | null;

  @Column({ name: 'max_uses', type: 'integer', nullable: true })
  maxUses!: number | null;

  @Column({ type: 'integer', default: 0 })
  uses!: number;

  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true })
  startsAt!: Date | null;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  /** Only users who never had a subscription or a paid purchase. */
  @Column({ name: 'new_users_only', type: 'boolean', default: false })
  newUsersOnly!: boolean;

  /** Only users without a paid purchase (for a discount: also when it is used). */
  @Column({ name: 'first_purchase_only', type: 'boolean', default: false })
  firstPurchaseOnly!: boolean;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'created_by', type: 'bigint', nullable: true, transformer: bigintNumber })
  createdBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
