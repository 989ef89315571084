import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { oneOf } from '../database/column-types';

/** `retired`: no longer in the configuration (kept for history; never set by an admin). */
export const vpnNodeStates = ['active', 'draining', 'disabled', 'retired'] as const;
export type VpnNodeRowState = (typeof vpnNodeStates)[number];

/** An admin's state change survives restarts until the configured state changes; secrets stay in config. */
@Entity('vpn_nodes')
@Check('vpn_nodes_state_valid', oneOf('state', vpnNodeStates))
@Check('vpn_nodes_configured_state_valid', oneOf('configured_state', vpnNodeStates))
@Check('vpn_nodes_capacity_positive', '"capacity" IS NULL OR "capacity" > 0')
export class VpnNodeEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_vpn_nodes' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  country!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ type: 'integer', nullable: true })
  capacity!: number | null;

  @Column({ type: 'text', default: 'active' })
  state!: string;

  @Column({ name: 'configured_state', type: 'text', default: 'active' })
  configuredState!: string;

  /** First successful contact with the core; until then an empty core is expected, not a lost state. */
  @Column({ name: 'first_seen_at', type: 'timestamptz', nullable: true })
  firstSeenAt!: Date | null;

  /** Start of the current outage (the admin is told once when it starts and once when it ends). */
  @Column({ name: 'down_since', type: 'timestamptz', nullable: true })
  downSince!: Date | null;

  @Column({ name: 'full_since', type: 'timestamptz', nullable: true })
  fullSince!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
