import {
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
import { PromoCodeEntity } from './promo-code.entity';

/** Unique per (code, user); a discount is spent by the purchase carrying its id. */
@Entity('promo_redemptions')
@Index('promo_redemptions_code_user_uq', ['codeId', 'userId'], { unique: true })
export class PromoRedemptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'code_id', type: 'bigint' })
  codeId!: string;

  @ManyToOne(() => PromoCodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'code_id' })
  code?: PromoCodeEntity;

  @Index('promo_redemptions_user_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: bigintNumber })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
