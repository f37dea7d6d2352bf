import { databaseVariables, parseEnv, tracingVariables, variableRules } from "@otp/env";

/** What the dispatcher process needs, read from the environment by `parseDeliveryEnv`. */
export interface DeliveryConfig {
  databaseUrl: string;
  /** DATABASE_DIRECT_URL: the server itself for LISTEN; undefined: databaseUrl. */
  databaseDirectUrl: string | undefined;
  /** DATABASE_PREPARED_STATEMENTS (default true; false through PgBouncer in transaction mode). */
  databasePreparedStatements: boolean;
  appSecret: string;
  smtpUrl: string;
  smtpFrom: string;
  appUrl: string;
  appName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: tracing on, exported there; undefined: off. */
  otlpEndpoint: string | undefined;
}

const PGLITE_REFUSAL =
  "must be a postgres:// or postgresql:// URL. The dispatcher runs as its own process and " +
  "needs a PostgreSQL server: the embedded database (PGlite, used when DATABASE_URL is unset) " +
  "belongs to the one process that opened it and cannot be shared with another. With PGlite, " +
  "run the dispatcher inside that process (createDispatcher from @otp/delivery) instead.";

// Every variable but tracing's and the two optional database ones is required here; the rules are the shared ones (@otp/env).
const variables = {
  DATABASE_URL: variableRules.DATABASE_URL(`is not set; it ${PGLITE_REFUSAL}`, PGLITE_REFUSAL),
  DATABASE_DIRECT_URL: databaseVariables.DATABASE_DIRECT_URL,
  DATABASE_PREPARED_STATEMENTS: databaseVariables.DATABASE_PREPARED_STATEMENTS,
  APP_SECRET: variableRules.APP_SECRET(),
  SMTP_URL: variableRules.SMTP_URL(
    "is not set (smtp://user:pass@host:587 or smtps://user:pass@host:465)",
  ),
  SMTP_FROM: variableRules.SMTP_FROM('is not set (e.g. "Acme <no-reply@acme.example>")'),
  APP_URL: variableRules.APP_URL(
    "is not set (the product's public address, e.g. https://acme.example)",
  ),
  APP_NAME: variableRules.APP_NAME('is not set (the product name shown in emails, e.g. "Acme")'),
  ...tracingVariables,
};

/** Every variable the dispatcher process reads. */
export const DELIVERY_VARIABLES = Object.keys(variables) as (keyof typeof variables)[];

export type ParsedDeliveryEnv =
  | { ok: true; config: DeliveryConfig }
  | { ok: false; errors: string[] };

/** Validates the environment; each error names its variable ("SMTP_URL: must start with ..."). */
export function parseDeliveryEnv(env: Record<string, string | undefined>): ParsedDeliveryEnv {
  const parsed = parseEnv(variables, env);
  if (!parsed.ok) return { ok: false, errors: parsed.problems };
  const value = parsed.env;
  return {
    ok: true,
    config: {
      databaseUrl: value.DATABASE_URL,
      databaseDirectUrl: value.DATABASE_DIRECT_URL,
      databasePreparedStatements: value.DATABASE_PREPARED_STATEMENTS,
      appSecret: value.APP_SECRET,
      smtpUrl: value.SMTP_URL,
      smtpFrom: value.SMTP_FROM,
      appUrl: value.APP_URL,
      appName: value.APP_NAME,
      otlpEndpoint: value.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
  };
}
