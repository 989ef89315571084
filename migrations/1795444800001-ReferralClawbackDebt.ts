import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The part of a clawed-back referral reward the referrer had spent already: repaid from later rewards. */
export class ReferralClawbackDebt1795444800001 implements MigrationInterface {
  name = 'ReferralClawbackDebt1795444800001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "referral_rewards" ADD "owed_minor" bigint NOT NULL DEFAULT \'0\'');
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" ADD CONSTRAINT "referral_rewards_owed_valid" CHECK ("owed_minor" >= 0 AND "owed_minor" <= "amount_minor")',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "referral_rewards" DROP CONSTRAINT "referral_rewards_owed_valid"');
    await queryRunner.query('ALTER TABLE "referral_rewards" DROP COLUMN "owed_minor"');
  }
}
