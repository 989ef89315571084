import { Check, Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from '../database/column-types';

/** The key stays removed while `blocked_period_start` is set; the traffic job clears it. */
@Entity('traffic_periods')
@Check('traffic_periods_bytes_nonnegative', '"uplink_bytes" >= 0 AND "downlink_bytes" >= 0')
@Index('traffic_periods_blocked_idx', ['subscriptionId'], { where: '"blocked_period_start" IS NOT NULL' })
export class TrafficPeriodEntity {
  @PrimaryColumn({ name: 'subscription_id', type: 'bigint', primaryKeyConstraintName: 'PK_traffic_periods' })
  subscriptionId!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ name: 'uplink_bytes', type: 'bigint', default: 0, transformer: bigintNumber })
  uplinkBytes!: number;

  @Column({ name: 'downlink_bytes', type: 'bigint', default: 0, transformer: bigintNumber })
  downlinkBytes!: number;

  /** The period whose limit was reached; set together with the revoke of the key. */
  @Column({ name: 'blocked_period_start', type: 'timestamptz', nullable: true })
  blockedPeriodStart!: Date | null;

  @Column({ name: 'blocked_at', type: 'timestamptz', nullable: true })
  blockedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
