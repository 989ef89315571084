import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promo codes and their redemptions, discounts on purchases, gift purchases and their links. The widened
 * CHECKs (purchase kind, ledger reason, grant source) are written by hand: the generator compares CHECKs by name.
 */
export class PromoCodesAndGifts1795490000000 implements MigrationInterface {
  name = 'PromoCodesAndGifts1795490000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "purchases_kind_valid"');
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "purchases_kind_valid" CHECK ("kind" IN (\'subscription\', \'topup\', \'gift\'))',
    );
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "purchases_plan_matches_kind"');
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "purchases_plan_matches_kind" CHECK (("kind" IN (\'subscription\', \'gift\')) = ("plan_code" IS NOT NULL))',
    );
    await queryRunner.query('ALTER TABLE "balance_ledger" DROP CONSTRAINT "balance_ledger_reason_valid"');
    await queryRunner.query(
      "ALTER TABLE \"balance_ledger\" ADD CONSTRAINT \"balance_ledger_reason_valid\" CHECK (\"reason\" IN ('topup', 'purchase', 'refund', 'referral_reward', 'admin', 'auto_renew', 'promo', 'gift_refund'))",
    );
    await queryRunner.query(
      'ALTER TABLE "subscription_grants" DROP CONSTRAINT "subscription_grants_source_valid"',
    );
    await queryRunner.query(
      "ALTER TABLE \"subscription_grants\" ADD CONSTRAINT \"subscription_grants_source_valid\" CHECK (\"source\" IN ('trial', 'purchase', 'auto_renew', 'admin', 'promo', 'gift'))",
    );
    await queryRunner.query(
      'CREATE TABLE "gifts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "purchase_id" uuid NOT NULL, "buyer_id" bigint NOT NULL, "plan_code" text NOT NULL, "days" integer NOT NULL, "refund_minor" bigint NOT NULL, "token_hash" text, "status" text NOT NULL DEFAULT \'open\', "recipient_id" bigint, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "redeemed_at" TIMESTAMP WITH TIME ZONE, "refunded_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "gifts_redeemed_has_recipient" CHECK (("status" = \'redeemed\') = ("recipient_id" IS NOT NULL)), CONSTRAINT "gifts_days_positive" CHECK ("days" > 0), CONSTRAINT "gifts_status_valid" CHECK ("status" IN (\'open\', \'redeemed\', \'refunded\')), CONSTRAINT "PK_54242922934e1f322861d116af7" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "gifts_purchase_uq" ON "gifts" ("purchase_id") ');
    await queryRunner.query('CREATE INDEX "gifts_buyer_idx" ON "gifts" ("buyer_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "gifts_token_hash_uq" ON "gifts" ("token_hash") WHERE "token_hash" IS NOT NULL',
    );
    await queryRunner.query('CREATE INDEX "gifts_open_idx" ON "gifts" ("status", "expires_at") ');
    await queryRunner.query(
      'CREATE TABLE "promo_codes" ("id" BIGSERIAL NOT NULL, "code" text NOT NULL, "kind" text NOT NULL, "value" integer NOT NULL, "plan_codes" text array, "max_uses" integer, "uses" integer NOT NULL DEFAULT \'0\', "starts_at" TIMESTAMP WITH TIME ZONE, "ends_at" TIMESTAMP WITH TIME ZONE, "new_users_only" boolean NOT NULL DEFAULT false, "first_purchase_only" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "created_by" bigint, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "promo_codes_code_upper" CHECK ("code" = upper("code")), CONSTRAINT "promo_codes_uses_within_limit" CHECK ("uses" >= 0 AND ("max_uses" IS NULL OR "uses" <= "max_uses")), CONSTRAINT "promo_codes_discount_below_100" CHECK ("kind" <> \'discount\' OR "value" < 100), CONSTRAINT "promo_codes_value_positive" CHECK ("value" > 0), CONSTRAINT "promo_codes_kind_valid" CHECK ("kind" IN (\'days\', \'credit\', \'discount\', \'trial\')), CONSTRAINT "PK_c7b4f01710fda5afa056a2b4a35" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "promo_codes_code_uq" ON "promo_codes" ("code") ');
    await queryRunner.query(
      'CREATE TABLE "promo_redemptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code_id" bigint NOT NULL, "user_id" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34a930e5657a7e0a837b0bb41c9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "promo_redemptions_user_idx" ON "promo_redemptions" ("user_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "promo_redemptions_code_user_uq" ON "promo_redemptions" ("code_id", "user_id") ',
    );
    await queryRunner.query('ALTER TABLE "purchases" ADD "promo_redemption_id" uuid');
    await queryRunner.query('ALTER TABLE "purchases" ADD "discount_percent" integer');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "purchases_promo_redemption_uq" ON "purchases" ("promo_redemption_id") WHERE "promo_redemption_id" IS NOT NULL AND "status" IN (\'pending\', \'paid\', \'refunded\')',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "purchases_discount_valid" CHECK (("promo_redemption_id" IS NULL) = ("discount_percent" IS NULL) AND ("discount_percent" IS NULL OR "discount_percent" BETWEEN 1 AND 99))',
    );
    await queryRunner.query(
      'ALTER TABLE "gifts" ADD CONSTRAINT "FK_49677a834a026b02aa385413cf6" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "gifts" ADD CONSTRAINT "FK_40fe4535b9b66f92e92029296c0" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "gifts" ADD CONSTRAINT "FK_ba61ce1f1fff2345c54326e1908" FOREIGN KEY ("recipient_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "promo_redemptions" ADD CONSTRAINT "FK_c42a998e8e20a6334dab5aa0a1b" FOREIGN KEY ("code_id") REFERENCES "promo_codes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "promo_redemptions" ADD CONSTRAINT "FK_8fd9caec505c3d0e23664b79209" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "promo_redemptions" DROP CONSTRAINT "FK_8fd9caec505c3d0e23664b79209"',
    );
    await queryRunner.query(
      'ALTER TABLE "promo_redemptions" DROP CONSTRAINT "FK_c42a998e8e20a6334dab5aa0a1b"',
    );
    await queryRunner.query('ALTER TABLE "gifts" DROP CONSTRAINT "FK_ba61ce1f1fff2345c54326e1908"');
    await queryRunner.query('ALTER TABLE "gifts" DROP CONSTRAINT "FK_40fe4535b9b66f92e92029296c0"');
    await queryRunner.query('ALTER TABLE "gifts" DROP CONSTRAINT "FK_49677a834a026b02aa385413cf6"');
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "purchases_discount_valid"');
    await queryRunner.query('DROP INDEX "public"."purchases_promo_redemption_uq"');
    await queryRunner.query('ALTER TABLE "purchases" DROP COLUMN "discount_percent"');
    await queryRunner.query('ALTER TABLE "purchases" DROP COLUMN "promo_redemption_id"');
    await queryRunner.query('DROP INDEX "public"."promo_redemptions_code_user_uq"');
    await queryRunner.query('DROP INDEX "public"."promo_redemptions_user_idx"');
    await queryRunner.query('DROP TABLE "promo_redemptions"');
    await queryRunner.query('DROP INDEX "public"."promo_codes_code_uq"');
    await queryRunner.query('DROP TABLE "promo_codes"');
    await queryRunner.query('DROP INDEX "public"."gifts_open_idx"');
    await queryRunner.query('DROP INDEX "public"."gifts_token_hash_uq"');
    await queryRunner.query('DROP INDEX "public"."gifts_buyer_idx"');
    await queryRunner.query('DROP INDEX "public"."gifts_purchase_uq"');
    await queryRunner.query('DROP TABLE "gifts"');
    await queryRunner.query(
      'ALTER TABLE "subscription_grants" DROP CONSTRAINT "subscription_grants_source_valid"',
    );
    await queryRunner.query(
      "ALTER TABLE \"subscription_grants\" ADD CONSTRAINT \"subscription_grants_source_valid\" CHECK (\"source\" IN ('trial', 'purchase', 'auto_renew', 'admin'))",
    );
    await queryRunner.query('ALTER TABLE "balance_ledger" DROP CONSTRAINT "balance_ledger_reason_valid"');
    await queryRunner.query(
      "ALTER TABLE \"balance_ledger\" ADD CONSTRAINT \"balance_ledger_reason_valid\" CHECK (\"reason\" IN ('topup', 'purchase', 'refund', 'referral_reward', 'admin', 'auto_renew'))",
    );
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "purchases_plan_matches_kind"');
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "purchases_plan_matches_kind" CHECK (("kind" = \'subscription\') = ("plan_code" IS NOT NULL))',
    );
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "purchases_kind_valid"');
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "purchases_kind_valid" CHECK ("kind" IN (\'subscription\', \'topup\'))',
    );
  }
}
