import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A purchase carries the Telegram update that asked for it, so a redelivered update opens no second invoice. */
export class PurchaseRequestKey1795444800000 implements MigrationInterface {
  name = 'PurchaseRequestKey1795444800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "purchases" ADD "request_key" text');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "purchases_request_key_uq" ON "purchases" ("request_key") WHERE "request_key" IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."purchases_request_key_uq"');
    await queryRunner.query('ALTER TABLE "purchases" DROP COLUMN "request_key"');
  }
}
