import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('plans')
@Check('plans_duration_positive', '"duration_days" > 0')
@Check('plans_stars_price_positive', '"stars_price" IS NULL OR "stars_price" > 0')
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
}
