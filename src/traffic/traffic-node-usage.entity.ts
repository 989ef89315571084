import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from '../database/column-types';

/** Last-read counters and accumulated bytes change in one statement, so a repeated read counts once. */
@Entity('traffic_node_usage')
@Index('traffic_node_usage_subscription_idx', ['subscriptionId'])
export class TrafficNodeUsageEntity {
  @PrimaryColumn({ name: 'node_code', type: 'text', primaryKeyConstraintName: 'PK_traffic_node_usage' })
  nodeCode!: string;

  @PrimaryColumn({ name: 'vpn_email', type: 'text', primaryKeyConstraintName: 'PK_traffic_node_usage' })
  vpnEmail!: string;

  @Column({ name: 'subscription_id', type: 'bigint' })
  subscriptionId!: string;

  /** The core's cumulative counters at the last read. */
  @Column({ name: 'seen_uplink', type: 'bigint', transformer: bigintNumber })
  seenUplink!: number;

  @Column({ name: 'seen_downlink', type: 'bigint', transformer: bigintNumber })
  seenDownlink!: number;

  /** Start of the core process those counters came from (null when the core does not tell). */
  @Column({ name: 'core_started_at', type: 'timestamptz', nullable: true })
  coreStartedAt!: Date | null;

  @Column({ name: 'uplink_bytes', type: 'bigint', transformer: bigintNumber })
  uplinkBytes!: number;

  @Column({ name: 'downlink_bytes', type: 'bigint', transformer: bigintNumber })
  downlinkBytes!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
