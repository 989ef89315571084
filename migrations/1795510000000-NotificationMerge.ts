import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A "payment received" notice waits briefly for its key and then goes out inside the "key ready" message
 * (state `merged`, `merged_into` = that message): one message instead of two, so the key is not held back by
 * Telegram's one-message-per-second pace in a chat.
 */
export class NotificationMerge1795510000000 implements MigrationInterface {
  name = 'NotificationMerge1795510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "notifications" ADD "merged_into" bigint');
    await queryRunner.query('ALTER TABLE "notifications" DROP CONSTRAINT "notifications_state_valid"');
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "notifications_state_valid" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'merged'))`,
    );
    await queryRunner.query(
      'ALTER TABLE "notifications" ADD CONSTRAINT "notifications_merged_has_target" CHECK (("state" = \'merged\') = ("merged_into" IS NOT NULL))',
    );
    // markSent stamps the notices merged into the one sent: without it that lookup scans the table per send.
    await queryRunner.query(
      'CREATE INDEX "notifications_merged_into_idx" ON "notifications" ("merged_into") WHERE "merged_into" IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "notifications_merged_into_idx"');
    await queryRunner.query(`UPDATE "notifications" SET "state" = 'sent' WHERE "state" = 'merged'`);
    await queryRunner.query('ALTER TABLE "notifications" DROP CONSTRAINT "notifications_merged_has_target"');
    await queryRunner.query('ALTER TABLE "notifications" DROP CONSTRAINT "notifications_state_valid"');
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "notifications_state_valid" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'cancelled'))`,
    );
    await queryRunner.query('ALTER TABLE "notifications" DROP COLUMN "merged_into"');
  }
}
