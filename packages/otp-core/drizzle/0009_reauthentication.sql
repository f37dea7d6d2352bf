ALTER TYPE "public"."code_type" ADD VALUE 'REAUTHENTICATION';--> statement-breakpoint
ALTER TYPE "public"."code_type" ADD VALUE 'EMAIL_CHANGE_UNDO';--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "authenticated_at" timestamp with time zone;