import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/column-types';

@Entity('plans')
@Check('plans_duration_positive', '"duration_days" > 0')
@Check('plans_stars_price_positive', '"stars_price" IS NULL OR "stars_price" > 0')
@Check('plans_device_limit_positive', '"device_limit" IS NULL OR "device_limit" > 0')
@Check('plans_traffic_limit_positive', '"traffic_limit_bytes" IS NULL OR "traffic_limit_bytes" > 0')
@Check('plans_traffic_reset_valid', `"traffic_reset" IN ('period', 'monthly')`)
export class PlanEntity {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ name: 'duration_days', type: 'integer' })
  durationDays!: number;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  prices!: Record<string, number>;

  @Column({ name: 'stars_price', type: 'integer', nullable: true })
  starsPrice!: number | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'sort_order', type: 'integer', default: 0 })
  sortOrder!: number;

  /** Devices that may fetch the feed (x-hwid); null: no limit. */
  @Column({ name: 'device_limit', type: 'integer', nullable: true })
  deviceLimit!: number | null;
  /** Traffic per period; null: unlimited. */
  @Column({ name: 'traffic_limit_bytes', type: 'bigint', nullable: true, transformer: bigintNumber })
  trafficLimitBytes!: number | null;

  /** When the used traffic starts again: each paid period (latest grant) or each calendar month (UTC). */
  @Column({ name: 'traffic_reset', type: 'text', default: 'period' })
  trafficReset!: 'period' | 'monthly';
}
