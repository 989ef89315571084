import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin grants carry the request that asked for them, so a redelivered Telegram update grants only once. */
export class GrantRequestKey1795441200000 implements MigrationInterface {
  name = 'GrantRequestKey1795441200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "subscription_grants" ADD "request_key" text');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "subscription_grants_request_key_uq" ON "subscription_grants" ("request_key") WHERE "request_key" IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."subscription_grants_request_key_uq"');
    await queryRunner.query('ALTER TABLE "subscription_grants" DROP COLUMN "request_key"');
  }
}
