import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VPN nodes, and the node each outbox operation is for. The node of a single-core deployment is `default`,
 * so its existing operations stay in its lane and nothing changes for it.
 */
export class VpnNodes1795450000000 implements MigrationInterface {
  name = 'VpnNodes1795450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "vpn_nodes" (
      "code" text NOT NULL,
      "name" text NOT NULL,
      "country" text,
      "tags" text array NOT NULL DEFAULT '{}',
      "capacity" integer,
      "state" text NOT NULL DEFAULT 'active',
      "configured_state" text NOT NULL DEFAULT 'active',
      "first_seen_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "vpn_nodes_state_valid" CHECK ("state" IN ('active', 'draining', 'disabled')),
      CONSTRAINT "vpn_nodes_configured_state_valid" CHECK ("configured_state" IN ('active', 'draining', 'disabled')),
      CONSTRAINT "vpn_nodes_capacity_positive" CHECK ("capacity" IS NULL OR "capacity" > 0),
      CONSTRAINT "PK_vpn_nodes" PRIMARY KEY ("code"))`);
    // A core that already served this deployment is not "seen for the first time".
    await queryRunner.query(
      `INSERT INTO "vpn_nodes" ("code", "name", "first_seen_at")
       SELECT 'default', 'VPN', CASE WHEN EXISTS (SELECT 1 FROM "vpn_operations") THEN now() END`,
    );
    await queryRunner.query(`ALTER TABLE "vpn_operations" ADD "node_code" text NOT NULL DEFAULT 'default'`);
    await queryRunner.query(
      `ALTER TABLE "vpn_operations" ADD CONSTRAINT "FK_vpn_operations_node" FOREIGN KEY ("node_code") REFERENCES "vpn_nodes"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "vpn_operations_lane_idx" ON "vpn_operations" ("node_code", "state", "next_attempt_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."vpn_operations_lane_idx"`);
    await queryRunner.query(`ALTER TABLE "vpn_operations" DROP CONSTRAINT "FK_vpn_operations_node"`);
    await queryRunner.query(`ALTER TABLE "vpn_operations" DROP COLUMN "node_code"`);
    await queryRunner.query(`DROP TABLE "vpn_nodes"`);
  }
}
