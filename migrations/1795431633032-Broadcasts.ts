import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Broadcasts1795431633032 implements MigrationInterface {
  name = 'Broadcasts1795431633032';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "broadcasts" ("id" BIGSERIAL NOT NULL, "audience" text NOT NULL, "text" text NOT NULL, "status" text NOT NULL DEFAULT \'running\', "cursor" bigint NOT NULL DEFAULT \'0\', "sent" integer NOT NULL DEFAULT \'0\', "failed" integer NOT NULL DEFAULT \'0\', "created_by" bigint NOT NULL, "progress_chat_id" bigint, "progress_message_id" integer, "request_key" text, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "broadcasts_counts_non_negative" CHECK ("sent" >= 0 AND "failed" >= 0), CONSTRAINT "broadcasts_status_valid" CHECK ("status" IN (\'running\', \'stopped\', \'done\')), CONSTRAINT "broadcasts_audience_valid" CHECK ("audience" IN (\'all\', \'active\')), CONSTRAINT "PK_b0586900034d0726bbdcb1b21b2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "broadcasts_running_idx" ON "broadcasts" ("status", "id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "broadcasts_request_key_uq" ON "broadcasts" ("request_key") ',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."broadcasts_request_key_uq"');
    await queryRunner.query('DROP INDEX "public"."broadcasts_running_idx"');
    await queryRunner.query('DROP TABLE "broadcasts"');
  }
}
