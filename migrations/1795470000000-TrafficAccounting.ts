import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-user traffic read from the cores (per node and per period) and the plans' traffic limits. */
export class TrafficAccounting1795470000000 implements MigrationInterface {
  name = 'TrafficAccounting1795470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "plans" ADD "traffic_limit_bytes" bigint`);
    await queryRunner.query(`ALTER TABLE "plans" ADD "traffic_reset" text NOT NULL DEFAULT 'period'`);
    await queryRunner.query(
      `ALTER TABLE "plans" ADD CONSTRAINT "plans_traffic_limit_positive" CHECK ("traffic_limit_bytes" IS NULL OR "traffic_limit_bytes" > 0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "plans" ADD CONSTRAINT "plans_traffic_reset_valid" CHECK ("traffic_reset" IN ('period', 'monthly'))`,
    );
    await queryRunner.query(`CREATE TABLE "traffic_node_usage" (
      "node_code" text NOT NULL,
      "vpn_email" text NOT NULL,
      "subscription_id" bigint NOT NULL,
      "seen_uplink" bigint NOT NULL,
      "seen_downlink" bigint NOT NULL,
      "core_started_at" TIMESTAMP WITH TIME ZONE,
      "uplink_bytes" bigint NOT NULL,
      "downlink_bytes" bigint NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_traffic_node_usage" PRIMARY KEY ("node_code", "vpn_email"))`);
    await queryRunner.query(
      `CREATE INDEX "traffic_node_usage_subscription_idx" ON "traffic_node_usage" ("subscription_id")`,
    );
    await queryRunner.query(`CREATE TABLE "traffic_periods" (
      "subscription_id" bigint NOT NULL,
      "period_start" TIMESTAMP WITH TIME ZONE NOT NULL,
      "uplink_bytes" bigint NOT NULL DEFAULT 0,
      "downlink_bytes" bigint NOT NULL DEFAULT 0,
      "blocked_period_start" TIMESTAMP WITH TIME ZONE,
      "blocked_at" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "traffic_periods_bytes_nonnegative" CHECK ("uplink_bytes" >= 0 AND "downlink_bytes" >= 0),
      CONSTRAINT "PK_traffic_periods" PRIMARY KEY ("subscription_id"))`);
    await queryRunner.query(
      `CREATE INDEX "traffic_periods_blocked_idx" ON "traffic_periods" ("subscription_id") WHERE "blocked_period_start" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "traffic_periods"`);
    await queryRunner.query(`DROP TABLE "traffic_node_usage"`);
    await queryRunner.query(`ALTER TABLE "plans" DROP CONSTRAINT "plans_traffic_reset_valid"`);
    await queryRunner.query(`ALTER TABLE "plans" DROP CONSTRAINT "plans_traffic_limit_positive"`);
    await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "traffic_reset"`);
    await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "traffic_limit_bytes"`);
  }
}
