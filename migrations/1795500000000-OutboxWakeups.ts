import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the outbox jobs when their work is committed: PostgreSQL delivers NOTIFY only on commit (and folds
 * repeats within one transaction), so a writer inside any transaction, including the sweeps' CTEs, wakes every
 * listening replica right after its commit and never before. Statement-level with a transition table: one
 * notice per statement that inserted at least one row.
 */
export class OutboxWakeups1795500000000 implements MigrationInterface {
  name = 'OutboxWakeups1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION "outbox_wakeup"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted) THEN
          PERFORM pg_notify('outbox_wakeup', TG_TABLE_NAME);
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['vpn_operations', 'notifications'])
      await queryRunner.query(
        `CREATE TRIGGER "${table}_wakeup" AFTER INSERT ON "${table}"
         REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "outbox_wakeup"()`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['vpn_operations', 'notifications'])
      await queryRunner.query(`DROP TRIGGER "${table}_wakeup" ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION "outbox_wakeup"()`);
  }
}
