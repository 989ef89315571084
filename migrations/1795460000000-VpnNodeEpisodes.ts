import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VPN node episodes and retirement: `down_since` and `full_since` open an outage or a full-capacity episode
 * (the admin is told once per episode); `retired` is the state of a node no longer in the configuration.
 * The index serves the per-node look-ups of a subscription's latest operation (claim, backfill, placement).
 */
export class VpnNodeEpisodes1795460000000 implements MigrationInterface {
  name = 'VpnNodeEpisodes1795460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "vpn_operations_subscription_node_idx" ON "vpn_operations" ("subscription_id", "node_code", "id")`,
    );
    await queryRunner.query(`ALTER TABLE "vpn_nodes" ADD "down_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "vpn_nodes" ADD "full_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "vpn_nodes" DROP CONSTRAINT "vpn_nodes_state_valid"`);
    await queryRunner.query(`ALTER TABLE "vpn_nodes" DROP CONSTRAINT "vpn_nodes_configured_state_valid"`);
    await queryRunner.query(
      `ALTER TABLE "vpn_nodes" ADD CONSTRAINT "vpn_nodes_state_valid" CHECK ("state" IN ('active', 'draining', 'disabled', 'retired'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "vpn_nodes" ADD CONSTRAINT "vpn_nodes_configured_state_valid" CHECK ("configured_state" IN ('active', 'draining', 'disabled', 'retired'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "vpn_nodes" SET "state" = 'disabled' WHERE "state" = 'retired'`);
    await queryRunner.query(
      `UPDATE "vpn_nodes" SET "configured_state" = 'disabled' WHERE "configured_state" = 'retired'`,
    );
    await queryRunner.query(`ALTER TABLE "vpn_nodes" DROP CONSTRAINT "vpn_nodes_state_valid"`);
    await queryRunner.query(`ALTER TABLE "vpn_nodes" DROP CONSTRAINT "vpn_nodes_configured_state_valid"`);
    await queryRunner.query(
      `ALTER TABLE "vpn_nodes" ADD CONSTRAINT "vpn_nodes_state_valid" CHECK ("state" IN ('active', 'draining', 'disabled'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "vpn_nodes" ADD CONSTRAINT "vpn_nodes_configured_state_valid" CHECK ("configured_state" IN ('active', 'draining', 'disabled'))`,
    );
    await queryRunner.query(`ALTER TABLE "vpn_nodes" DROP COLUMN "full_since"`);
    await queryRunner.query(`ALTER TABLE "vpn_nodes" DROP COLUMN "down_since"`);
    await queryRunner.query(`DROP INDEX "public"."vpn_operations_subscription_node_idx"`);
  }
}
