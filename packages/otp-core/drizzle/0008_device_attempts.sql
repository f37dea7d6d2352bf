CREATE TABLE "device_attempts" (
	"device_key" text NOT NULL,
	"code_type" "code_type" NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"failures" integer NOT NULL,
	CONSTRAINT "device_attempts_device_key_code_type_pk" PRIMARY KEY("device_key","code_type")
);
