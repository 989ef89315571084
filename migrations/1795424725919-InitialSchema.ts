import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795424725919 implements MigrationInterface {
  name = 'InitialSchema1795424725919';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "job_leases" ("name" text NOT NULL, "holder" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acquired_at" TIMESTAMP WITH TIME ZONE NOT NULL, "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_a5aaa7b6169ce751dd85a6f0beb" PRIMARY KEY ("name"))',
    );
    await queryRunner.query(
      'CREATE TABLE "users" ("id" bigint NOT NULL, "username" text, "first_name" text, "language_code" text NOT NULL DEFAULT \'en\', "balance_minor" bigint NOT NULL DEFAULT \'0\', "referrer_id" bigint, "trial_used_at" TIMESTAMP WITH TIME ZONE, "blocked_at" TIMESTAMP WITH TIME ZONE, "is_banned" boolean NOT NULL DEFAULT false, "last_seen_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "users_no_self_referral" CHECK ("referrer_id" IS NULL OR "referrer_id" <> "id"), CONSTRAINT "users_balance_non_negative" CHECK ("balance_minor" >= 0), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "users_referrer_idx" ON "users" ("referrer_id") ');
    await queryRunner.query(
      'CREATE TABLE "balance_ledger" ("id" BIGSERIAL NOT NULL, "user_id" bigint NOT NULL, "delta_minor" bigint NOT NULL, "balance_after" bigint NOT NULL, "reason" text NOT NULL, "reference" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "balance_ledger_after_non_negative" CHECK ("balance_after" >= 0), CONSTRAINT "balance_ledger_delta_non_zero" CHECK ("delta_minor" <> 0), CONSTRAINT "balance_ledger_reason_valid" CHECK ("reason" IN (\'topup\', \'purchase\', \'refund\', \'referral_reward\', \'admin\', \'auto_renew\')), CONSTRAINT "PK_0a98088b8fe8aaa77f7ba363421" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "balance_ledger_user_idx" ON "balance_ledger" ("user_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "balance_ledger_reference_uq" ON "balance_ledger" ("reason", "reference") ',
    );
    await queryRunner.query(
      'CREATE TABLE "processed_provider_events" ("provider" text NOT NULL, "event_id" text NOT NULL, "purchase_id" uuid, "payload" jsonb, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b9a3e634114383a933d62894955" PRIMARY KEY ("provider", "event_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "plans" ("code" text NOT NULL, "duration_days" integer NOT NULL, "prices" jsonb NOT NULL DEFAULT \'{}\', "stars_price" integer, "enabled" boolean NOT NULL DEFAULT true, "sort_order" integer NOT NULL DEFAULT \'0\', CONSTRAINT "plans_stars_price_positive" CHECK ("stars_price" IS NULL OR "stars_price" > 0), CONSTRAINT "plans_duration_positive" CHECK ("duration_days" > 0), CONSTRAINT "PK_95f7ef3fc4c31a3545b4d825dd4" PRIMARY KEY ("code"))',
    );
    await queryRunner.query(
      'CREATE TABLE "purchases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" bigint NOT NULL, "kind" text NOT NULL, "plan_code" text, "amount_minor" bigint NOT NULL, "currency" text NOT NULL, "credit_minor" bigint, "status" text NOT NULL DEFAULT \'pending\', "provider" text NOT NULL, "provider_invoice_id" text, "provider_charge_id" text, "invoice_url" text, "expires_at" TIMESTAMP WITH TIME ZONE, "paid_at" TIMESTAMP WITH TIME ZONE, "refunded_at" TIMESTAMP WITH TIME ZONE, "failure_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "purchases_paid_has_time" CHECK ("status" NOT IN (\'paid\', \'refunded\') OR "paid_at" IS NOT NULL), CONSTRAINT "purchases_plan_matches_kind" CHECK (("kind" = \'subscription\') = ("plan_code" IS NOT NULL)), CONSTRAINT "purchases_amount_positive" CHECK ("amount_minor" > 0), CONSTRAINT "purchases_provider_valid" CHECK ("provider" IN (\'balance\', \'crypto_pay\', \'stars\', \'admin\')), CONSTRAINT "purchases_status_valid" CHECK ("status" IN (\'pending\', \'paid\', \'expired\', \'failed\', \'refunded\')), CONSTRAINT "purchases_kind_valid" CHECK ("kind" IN (\'subscription\', \'topup\')), CONSTRAINT "PK_1d55032f37a34c6eceacbbca6b8" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "purchases_user_idx" ON "purchases" ("user_id") ');
    await queryRunner.query(
      'CREATE INDEX "purchases_pending_idx" ON "purchases" ("status", "provider", "created_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "purchases_provider_charge_uq" ON "purchases" ("provider", "provider_charge_id") WHERE "provider_charge_id" IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "purchases_provider_invoice_uq" ON "purchases" ("provider", "provider_invoice_id") WHERE "provider_invoice_id" IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE TABLE "referral_rewards" ("id" BIGSERIAL NOT NULL, "referrer_id" bigint NOT NULL, "referee_id" bigint NOT NULL, "purchase_id" uuid NOT NULL, "amount_minor" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "referral_rewards_not_self" CHECK ("referrer_id" <> "referee_id"), CONSTRAINT "referral_rewards_amount_positive" CHECK ("amount_minor" > 0), CONSTRAINT "PK_a3be1dc8ab03f052b59d8aefbad" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "referral_rewards_referrer_idx" ON "referral_rewards" ("referrer_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "referral_rewards_purchase_uq" ON "referral_rewards" ("purchase_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "subscriptions" ("id" BIGSERIAL NOT NULL, "user_id" bigint NOT NULL, "status" text NOT NULL DEFAULT \'active\', "is_trial" boolean NOT NULL DEFAULT false, "plan_code" text, "vpn_uuid" uuid NOT NULL, "vpn_email" text NOT NULL, "sub_token" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "auto_renew" boolean NOT NULL DEFAULT false, "last_grant_source" text NOT NULL, "reissued_at" TIMESTAMP WITH TIME ZONE, "expired_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "subscriptions_email_lowercase" CHECK ("vpn_email" = lower("vpn_email") AND "vpn_email" <> \'\'), CONSTRAINT "subscriptions_status_valid" CHECK ("status" IN (\'active\', \'expired\', \'revoked\')), CONSTRAINT "PK_a87248d73155605cf782be9ee5e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "subscriptions_user_uq" ON "subscriptions" ("user_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "subscriptions_vpn_uuid_uq" ON "subscriptions" ("vpn_uuid") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "subscriptions_vpn_email_uq" ON "subscriptions" ("vpn_email") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "subscriptions_sub_token_uq" ON "subscriptions" ("sub_token") ',
    );
    await queryRunner.query(
      'CREATE INDEX "subscriptions_due_idx" ON "subscriptions" ("status", "expires_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "subscription_grants" ("id" BIGSERIAL NOT NULL, "subscription_id" bigint NOT NULL, "source" text NOT NULL, "days" integer NOT NULL, "purchase_id" uuid, "expires_before" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_after" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "subscription_grants_days_positive" CHECK ("days" > 0), CONSTRAINT "subscription_grants_source_valid" CHECK ("source" IN (\'trial\', \'purchase\', \'auto_renew\', \'admin\')), CONSTRAINT "PK_888f1e55fb632d638b76f02415a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "subscription_grants_subscription_idx" ON "subscription_grants" ("subscription_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "subscription_grants_purchase_uq" ON "subscription_grants" ("purchase_id") WHERE "purchase_id" IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE TABLE "notifications" ("id" BIGSERIAL NOT NULL, "user_id" bigint NOT NULL, "kind" text NOT NULL, "dedupe_key" text NOT NULL, "payload" jsonb NOT NULL DEFAULT \'{}\', "state" text NOT NULL DEFAULT \'pending\', "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "notifications_attempts_non_negative" CHECK ("attempts" >= 0), CONSTRAINT "notifications_state_valid" CHECK ("state" IN (\'pending\', \'sending\', \'sent\', \'failed\', \'cancelled\')), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "notifications_user_idx" ON "notifications" ("user_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "notifications_dedupe_key_uq" ON "notifications" ("dedupe_key") ',
    );
    await queryRunner.query(
      'CREATE INDEX "notifications_due_idx" ON "notifications" ("state", "next_attempt_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "telegram_updates" ("update_id" bigint NOT NULL, "chat_id" bigint, "kind" text NOT NULL, "payload" jsonb NOT NULL, "state" text NOT NULL DEFAULT \'pending\', "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "telegram_updates_state_valid" CHECK ("state" IN (\'pending\', \'processing\', \'done\', \'failed\')), CONSTRAINT "PK_744cdcbaa31fc014e209dd532d0" PRIMARY KEY ("update_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "telegram_updates_work_idx" ON "telegram_updates" ("state", "chat_id", "update_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "vpn_operations" ("id" BIGSERIAL NOT NULL, "subscription_id" bigint NOT NULL, "user_id" bigint NOT NULL, "kind" text NOT NULL, "vpn_uuid" uuid NOT NULL, "vpn_email" text NOT NULL, "state" text NOT NULL DEFAULT \'pending\', "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "notify_user" boolean NOT NULL DEFAULT false, "completed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "vpn_operations_attempts_non_negative" CHECK ("attempts" >= 0), CONSTRAINT "vpn_operations_state_valid" CHECK ("state" IN (\'pending\', \'in_progress\', \'done\', \'failed\', \'superseded\')), CONSTRAINT "vpn_operations_kind_valid" CHECK ("kind" IN (\'provision\', \'revoke\')), CONSTRAINT "PK_4731aad6108d074cb7e5711a86c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "vpn_operations_subscription_idx" ON "vpn_operations" ("subscription_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "vpn_operations_due_idx" ON "vpn_operations" ("state", "next_attempt_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "users" ADD CONSTRAINT "FK_efedd6953658f7488cb44c786ba" FOREIGN KEY ("referrer_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "balance_ledger" ADD CONSTRAINT "FK_9ee952107d4912d6ab4aaf037ec" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "FK_024ddf7e04177a07fcb9806a90a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "FK_800c7f92ccc09df89d94150a3d9" FOREIGN KEY ("plan_code") REFERENCES "plans"("code") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" ADD CONSTRAINT "FK_bfdfeade59c890ee344f9ea1e14" FOREIGN KEY ("referrer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" ADD CONSTRAINT "FK_f02ce55e2d87d0331aa64845d02" FOREIGN KEY ("referee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" ADD CONSTRAINT "FK_9bb53dcf5370824388ea2a8aafd" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subscriptions" ADD CONSTRAINT "FK_d0a95ef8a28188364c546eb65c1" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subscription_grants" ADD CONSTRAINT "FK_82610c7b6042bc05c399d280d76" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "notifications" ADD CONSTRAINT "FK_9a8a82462cab47c73d25f49261f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "vpn_operations" ADD CONSTRAINT "FK_cf46f1f74779cfed483c2acf42d" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "vpn_operations" DROP CONSTRAINT "FK_cf46f1f74779cfed483c2acf42d"');
    await queryRunner.query('ALTER TABLE "notifications" DROP CONSTRAINT "FK_9a8a82462cab47c73d25f49261f"');
    await queryRunner.query(
      'ALTER TABLE "subscription_grants" DROP CONSTRAINT "FK_82610c7b6042bc05c399d280d76"',
    );
    await queryRunner.query('ALTER TABLE "subscriptions" DROP CONSTRAINT "FK_d0a95ef8a28188364c546eb65c1"');
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" DROP CONSTRAINT "FK_9bb53dcf5370824388ea2a8aafd"',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" DROP CONSTRAINT "FK_f02ce55e2d87d0331aa64845d02"',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_rewards" DROP CONSTRAINT "FK_bfdfeade59c890ee344f9ea1e14"',
    );
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "FK_800c7f92ccc09df89d94150a3d9"');
    await queryRunner.query('ALTER TABLE "purchases" DROP CONSTRAINT "FK_024ddf7e04177a07fcb9806a90a"');
    await queryRunner.query('ALTER TABLE "balance_ledger" DROP CONSTRAINT "FK_9ee952107d4912d6ab4aaf037ec"');
    await queryRunner.query('ALTER TABLE "users" DROP CONSTRAINT "FK_efedd6953658f7488cb44c786ba"');
    await queryRunner.query('DROP INDEX "public"."vpn_operations_due_idx"');
    await queryRunner.query('DROP INDEX "public"."vpn_operations_subscription_idx"');
    await queryRunner.query('DROP TABLE "vpn_operations"');
    await queryRunner.query('DROP INDEX "public"."telegram_updates_work_idx"');
    await queryRunner.query('DROP TABLE "telegram_updates"');
    await queryRunner.query('DROP INDEX "public"."notifications_due_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_dedupe_key_uq"');
    await queryRunner.query('DROP INDEX "public"."notifications_user_idx"');
    await queryRunner.query('DROP TABLE "notifications"');
    await queryRunner.query('DROP INDEX "public"."subscription_grants_purchase_uq"');
    await queryRunner.query('DROP INDEX "public"."subscription_grants_subscription_idx"');
    await queryRunner.query('DROP TABLE "subscription_grants"');
    await queryRunner.query('DROP INDEX "public"."subscriptions_due_idx"');
    await queryRunner.query('DROP INDEX "public"."subscriptions_sub_token_uq"');
    await queryRunner.query('DROP INDEX "public"."subscriptions_vpn_email_uq"');
    await queryRunner.query('DROP INDEX "public"."subscriptions_vpn_uuid_uq"');
    await queryRunner.query('DROP INDEX "public"."subscriptions_user_uq"');
    await queryRunner.query('DROP TABLE "subscriptions"');
    await queryRunner.query('DROP INDEX "public"."referral_rewards_purchase_uq"');
    await queryRunner.query('DROP INDEX "public"."referral_rewards_referrer_idx"');
    await queryRunner.query('DROP TABLE "referral_rewards"');
    await queryRunner.query('DROP INDEX "public"."purchases_provider_invoice_uq"');
    await queryRunner.query('DROP INDEX "public"."purchases_provider_charge_uq"');
    await queryRunner.query('DROP INDEX "public"."purchases_pending_idx"');
    await queryRunner.query('DROP INDEX "public"."purchases_user_idx"');
    await queryRunner.query('DROP TABLE "purchases"');
    await queryRunner.query('DROP TABLE "plans"');
    await queryRunner.query('DROP TABLE "processed_provider_events"');
    await queryRunner.query('DROP INDEX "public"."balance_ledger_reference_uq"');
    await queryRunner.query('DROP INDEX "public"."balance_ledger_user_idx"');
    await queryRunner.query('DROP TABLE "balance_ledger"');
    await queryRunner.query('DROP INDEX "public"."users_referrer_idx"');
    await queryRunner.query('DROP TABLE "users"');
    await queryRunner.query('DROP TABLE "job_leases"');
  }
}
