import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Provider events (webhook deliveries, charges) seen so far; the primary key makes a replay a no-op. */
@Entity('processed_provider_events')
export class ProcessedProviderEventEntity {
  @PrimaryColumn({ type: 'text' })
  provider!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  payload!: unknown;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
