import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SubscriptionEntity } from '../../subscriptions/subscription.entity';

/** Header values are bounded here and in DeviceHeaders: what a client sends is never trusted to be small. */
export const DEVICE_FIELD_MAX = { hwid: 128, text: 64, userAgent: 256 } as const;

/** Counted for the device limit, which applies to the feed only (raw links never fetch it). */
@Entity('subscription_devices')
@Check('subscription_devices_hwid_length', 'length("hwid") BETWEEN 1 AND 128')
export class SubscriptionDeviceEntity {
  @PrimaryColumn({
    name: 'subscription_id',
    type: 'bigint',
    primaryKeyConstraintName: 'PK_subscription_devices',
  })
  subscriptionId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_subscription_devices' })
  hwid!: string;

  @ManyToOne(() => SubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'subscription_id', foreignKeyConstraintName: 'FK_subscription_devices_subscription' })
  subscription?: SubscriptionEntity;

  @Column({ name: 'device_os', type: 'text', nullable: true })
  deviceOs!: string | null;

  @Column({ name: 'os_version', type: 'text', nullable: true })
  osVersion!: string | null;

  @Column({ name: 'device_model', type: 'text', nullable: true })
  deviceModel!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'first_seen_at', type: 'timestamptz', default: () => 'now()' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt!: Date;
}
