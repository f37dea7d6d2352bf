ALTER TABLE "email_outbox" ADD COLUMN "trace_context" text;--> statement-breakpoint
ALTER TABLE "passcodes" ADD COLUMN "link_hash" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "locale" text DEFAULT 'en' NOT NULL;