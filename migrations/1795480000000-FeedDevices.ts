import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Devices registered per subscription by the feed (x-hwid), and the device limit of a plan (null: none). */
export class FeedDevices1795480000000 implements MigrationInterface {
  name = 'FeedDevices1795480000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "subscription_devices" (
      "subscription_id" bigint NOT NULL,
      "hwid" text NOT NULL,
      "device_os" text,
      "os_version" text,
      "device_model" text,
      "user_agent" text,
      "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "subscription_devices_hwid_length" CHECK (length("hwid") BETWEEN 1 AND 128),
      CONSTRAINT "PK_subscription_devices" PRIMARY KEY ("subscription_id", "hwid"))`);
    await queryRunner.query(
      `ALTER TABLE "subscription_devices" ADD CONSTRAINT "FK_subscription_devices_subscription" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "plans" ADD "device_limit" integer`);
    await queryRunner.query(
      `ALTER TABLE "plans" ADD CONSTRAINT "plans_device_limit_positive" CHECK ("device_limit" IS NULL OR "device_limit" > 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "plans" DROP CONSTRAINT "plans_device_limit_positive"`);
    await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "device_limit"`);
    await queryRunner.query(
      `ALTER TABLE "subscription_devices" DROP CONSTRAINT "FK_subscription_devices_subscription"`,
    );
    await queryRunner.query(`DROP TABLE "subscription_devices"`);
  }
}
