CREATE TABLE "account_failures" (
	"recipient_key" text PRIMARY KEY NOT NULL,
	"password_window_started_at" timestamp with time zone,
	"password_failures" integer DEFAULT 0 NOT NULL,
	"password_notice_window" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"unlock_token_hash" text,
	"unlock_expires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "passcodes" ADD COLUMN "pending_password_hash" text;--> statement-breakpoint
ALTER TABLE "passcodes" ADD COLUMN "binding_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "account_failures_unlock_token_hash_key" ON "account_failures" USING btree ("unlock_token_hash");