import { MIN_SECRET_LENGTH } from "@otp/core";
import { isPostgresUrl } from "@otp/core/db";
import { z } from "zod";

/** What the dispatcher process needs, read from the environment by `parseDeliveryEnv`. */
export interface DeliveryConfig {
  databaseUrl: string;
  appSecret: string;
  smtpUrl: string;
  smtpFrom: string;
  appUrl: string;
  appName: string;
}

const PGLITE_REFUSAL =
  "must be a postgres:// or postgresql:// URL. The dispatcher runs as its own process and " +
  "needs a PostgreSQL server: the embedded database (PGlite, used when DATABASE_URL is unset) " +
  "belongs to the one process that opened it and cannot be shared with another. With PGlite, " +
  "run the dispatcher inside that process (createDispatcher from @otp/delivery) instead.";

// Messages never echo a value: DATABASE_URL and SMTP_URL carry passwords, APP_SECRET is one.
const schema = z.object({
  DATABASE_URL: z
    .string({ error: `is not set; it ${PGLITE_REFUSAL}` })
    .trim()
    .refine(isPostgresUrl, { error: PGLITE_REFUSAL }),
  APP_SECRET: z.string({ error: "is not set" }).min(MIN_SECRET_LENGTH, {
    error: `must be at least ${MIN_SECRET_LENGTH} characters (the same secret as the API's)`,
  }),
  SMTP_URL: z
    .string({ error: "is not set (smtp://user:pass@host:587 or smtps://user:pass@host:465)" })
    .trim()
    .regex(/^smtps?:\/\/./i, { error: "must start with smtp:// or smtps://" }),
  SMTP_FROM: z
    .string({ error: 'is not set (e.g. "Acme <no-reply@acme.example>")' })
    .trim()
    .min(1, { error: "must not be empty" }),
  APP_URL: z
    .string({ error: "is not set (the product's public address, e.g. https://acme.example)" })
    .trim()
    .refine(isAbsoluteHttpUrl, { error: "must be an absolute http:// or https:// URL" }),
  APP_NAME: z
    .string({ error: 'is not set (the product name shown in emails, e.g. "Acme")' })
    .trim()
    .min(1, { error: "must not be empty" }),
});

export type ParsedDeliveryEnv =
  | { ok: true; config: DeliveryConfig }
  | { ok: false; errors: string[] };

/** Validates the environment; each error names its variable ("SMTP_URL: must start with ..."). */
export function parseDeliveryEnv(env: Record<string, string | undefined>): ParsedDeliveryEnv {
  // An empty variable is as good as unset.
  const present = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [name, env[name] === "" ? undefined : env[name]]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`),
    };
  }
  const value = parsed.data;
  return {
    ok: true,
    config: {
      databaseUrl: value.DATABASE_URL,
      appSecret: value.APP_SECRET,
      smtpUrl: value.SMTP_URL,
      smtpFrom: value.SMTP_FROM,
      appUrl: value.APP_URL,
      appName: value.APP_NAME,
    },
  };
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
