CREATE TABLE "address_attempts" (
	"recipient_key" text NOT NULL,
	"code_type" "code_type" NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"failures" integer NOT NULL,
	CONSTRAINT "address_attempts_recipient_key_code_type_pk" PRIMARY KEY("recipient_key","code_type")
);
