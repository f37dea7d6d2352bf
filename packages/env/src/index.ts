/**
 * Every environment variable the processes read, declared once (t3's
 * composition style): the API, the CLI and the delivery dispatcher each pick
 * the variables they need from these groups and parse them with `parseEnv`.
 * The policy variables take their bounds and defaults from the core's policy
 * schema; the session lifetime's default is the service's.
 */
import {
  DEFAULT_SESSION_TTL_SECONDS,
  MIN_SECRET_LENGTH,
  type PasscodePolicy,
  policySchema,
} from "@otp/core";
import { isPostgresUrl } from "@otp/core/db";
import {
  DEFAULT_OUTBOX_RETENTION_DAYS,
  DEFAULT_SECURITY_EVENT_RETENTION_DAYS,
  OUTBOX_RETENTION_DAYS_RANGE,
  SECURITY_EVENT_RETENTION_DAYS_RANGE,
} from "@otp/core/repositories";
import { z } from "zod";
import { trustProxyVariable } from "./trust-proxy.js";

/** A whole number within bounds, from its text. */
export const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const flag = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((value) => value === "true" || value === "1");

/** Text with a rule; `unset` is what an absent variable is told when it is required. */
const text = (unset = "is not set") => z.string({ error: unset }).trim();

/** The rules of each text variable (messages never echo a value: some carry passwords). */
export const variableRules = {
  DATABASE_URL: (unset?: string, invalid = "must start with postgres:// or postgresql://") =>
    text(unset).refine(isPostgresUrl, { error: invalid }),
  APP_SECRET: (unset?: string) =>
    text(unset).min(MIN_SECRET_LENGTH, {
      error: `must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 48)`,
    }),
  SMTP_URL: (unset?: string) =>
    text(unset).regex(/^smtps?:\/\/./i, { error: "must start with smtp:// or smtps://" }),
  SMTP_FROM: (unset?: string) => text(unset).min(1, { error: "must not be empty" }),
  APP_URL: (unset?: string) =>
    text(unset).refine(isAbsoluteHttpUrl, { error: "must be an absolute http:// or https:// URL" }),
  APP_NAME: (unset?: string) =>
    text(unset)
      .min(1, { error: "must not be empty" })
      .max(60, { error: "must be at most 60 characters" }),
};

/** Tracing: on, exporting over OTLP/HTTP to this collector, when set (the API and the dispatcher). */
export const tracingVariables = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ error: "must be a URL like http://collector:4318" })
    .optional(),
};

/** Where the data lives: a PostgreSQL server, or the embedded database under DATA_DIR. */
export const databaseVariables = {
  DATABASE_URL: variableRules.DATABASE_URL().optional(),
  /**
   * The PostgreSQL server itself when DATABASE_URL names a transaction-pooling PgBouncer:
   * LISTEN and the migrations need a session of their own. Unset: DATABASE_URL.
   */
  DATABASE_DIRECT_URL: variableRules.DATABASE_URL().optional(),
  /** false through PgBouncer in transaction mode (it keeps no prepared statements there). */
  DATABASE_PREPARED_STATEMENTS: flag.default(true),
  // At least 2: migrations hold one connection for their lock while they run on another.
  DATABASE_POOL_SIZE: integer(2, 200).default(10),
  DATA_DIR: z.string().default(".data"),
};

/** Variable name -> policy field: the bounds and defaults are the policy schema's. */
const POLICY_VARIABLES = {
  OTP_LENGTH: "codeLength",
  OTP_TTL_SECONDS: "codeTtlSeconds",
  OTP_MAX_ATTEMPTS: "maxFailedAttempts",
  OTP_ATTEMPT_WINDOW_SECONDS: "attemptWindowSeconds",
  OTP_SEND_LIMIT: "maxSendsPerWindow",
  OTP_SEND_WINDOW_SECONDS: "sendWindowSeconds",
  OTP_SEND_COOLDOWN_SECONDS: "sendCooldownSeconds",
  PASSWORD_MAX_FAILURES: "passwordMaxFailures",
  PASSWORD_FAILURE_WINDOW_SECONDS: "passwordFailureWindowSeconds",
  MAX_CONSECUTIVE_FAILURES: "maxConsecutiveFailures",
  UNLOCK_LINK_TTL_SECONDS: "unlockTokenTtlSeconds",
  REAUTH_MAX_AGE_SECONDS: "reauthMaxAgeSeconds",
  PASSWORD_MIN_LENGTH: "passwordMinLength",
} as const satisfies Record<string, keyof PasscodePolicy>;

type PolicyVariable = keyof typeof POLICY_VARIABLES;

function policyVariable(field: keyof PasscodePolicy) {
  const declared = policySchema.shape[field];
  const bounds = declared.unwrap();
  return integer(bounds.minValue ?? 0, bounds.maxValue ?? Number.MAX_SAFE_INTEGER).default(
    declared.parse(undefined),
  );
}

export const policyVariables = Object.fromEntries(
  Object.entries(POLICY_VARIABLES).map(([name, field]) => [name, policyVariable(field)]),
) as Record<PolicyVariable, ReturnType<typeof policyVariable>>;

/** The passcode policy the OTP_* variables describe. */
export function policyFromEnv(env: Record<PolicyVariable, number>): PasscodePolicy {
  return Object.fromEntries(
    Object.entries(POLICY_VARIABLES).map(([name, field]) => [field, env[name as PolicyVariable]]),
  ) as PasscodePolicy;
}

export const sessionVariables = {
  SESSION_TTL_SECONDS: integer(300, 31_536_000).default(DEFAULT_SESSION_TTL_SECONDS),
};

export const retentionVariables = {
  OUTBOX_RETENTION_DAYS: integer(
    OUTBOX_RETENTION_DAYS_RANGE.min,
    OUTBOX_RETENTION_DAYS_RANGE.max,
  ).default(DEFAULT_OUTBOX_RETENTION_DAYS),
  SECURITY_EVENT_RETENTION_DAYS: integer(
    SECURITY_EVENT_RETENTION_DAYS_RANGE.min,
    SECURITY_EVENT_RETENTION_DAYS_RANGE.max,
  ).default(DEFAULT_SECURITY_EVENT_RETENTION_DAYS),
};

/** The product's name, as the emails and pages say it. */
export const productVariables = {
  APP_NAME: variableRules.APP_NAME().default("OTP"),
};

/** Seconds between cleanups of used/expired codes, old sessions and finished emails; 0 = off. */
export const cleanupVariables = {
  CLEANUP_INTERVAL_SECONDS: integer(0, 86_400).default(3600),
};

/** The per-IP budgets of the edge (http: the sending and the guessing operations). */
export const rateLimitVariables = {
  RATE_LIMIT_ENABLED: flag.default(true),
  RATE_LIMIT_SEND_PER_HOUR: integer(1, 1_000_000).default(60),
  RATE_LIMIT_VERIFY_PER_MINUTE: integer(1, 1_000_000).default(30),
};

/** Which proxies the client's address may come through (trust-proxy.ts). */
export const proxyVariables = {
  TRUST_PROXY: trustProxyVariable,
};

/** The largest request body the edge reads. */
export const requestVariables = {
  BODY_LIMIT_BYTES: integer(1024, 1_048_576).default(16_384),
};

/**
 * THE settings of the edge, declared once: each is an environment variable of
 * the standalone server and an option of `createOtp` (@otp/server), with one
 * rule and one default. Variable name -> option name.
 */
export const EDGE_SETTINGS = {
  ...POLICY_VARIABLES,
  SESSION_TTL_SECONDS: "sessionTtlSeconds",
  APP_NAME: "appName",
  CLEANUP_INTERVAL_SECONDS: "cleanupIntervalSeconds",
  OUTBOX_RETENTION_DAYS: "outboxRetentionDays",
  SECURITY_EVENT_RETENTION_DAYS: "securityEventRetentionDays",
  RATE_LIMIT_ENABLED: "rateLimitEnabled",
  RATE_LIMIT_SEND_PER_HOUR: "rateLimitSendPerHour",
  RATE_LIMIT_VERIFY_PER_MINUTE: "rateLimitVerifyPerMinute",
  BODY_LIMIT_BYTES: "bodyLimitBytes",
  TRUST_PROXY: "trustProxy",
} as const;

/** The environment variables of EDGE_SETTINGS, with their rules and defaults. */
export const edgeVariables = {
  ...policyVariables,
  ...sessionVariables,
  ...productVariables,
  ...cleanupVariables,
  ...retentionVariables,
  ...rateLimitVariables,
  ...requestVariables,
  ...proxyVariables,
} satisfies Record<keyof typeof EDGE_SETTINGS, z.ZodType>;

type EdgeVariable = keyof typeof EDGE_SETTINGS;

/** The edge's settings by option name, as the rules give them (defaults filled in). */
export type EdgeSettings = {
  -readonly [V in EdgeVariable as (typeof EDGE_SETTINGS)[V]]: z.output<(typeof edgeVariables)[V]>;
};

/** The same settings as options: each may be left out for its default. */
export type EdgeSettingOptions = Partial<{
  -readonly [V in EdgeVariable as (typeof EDGE_SETTINGS)[V]]: OptionValue<
    EdgeSettings[(typeof EDGE_SETTINGS)[V]]
  >;
}>;

/** An option's value: the setting's own type, or (TRUST_PROXY) the variable's text or hop count. */
type OptionValue<T> = T extends boolean
  ? boolean
  : T extends number | string
    ? T
    : string | number | false;

/** The settings the parsed variables hold, by option name. */
export function edgeSettingsFromEnv(
  env: z.output<z.ZodObject<typeof edgeVariables>>,
): EdgeSettings {
  return Object.fromEntries(
    Object.entries(EDGE_SETTINGS).map(([name, option]) => [option, env[name as EdgeVariable]]),
  ) as EdgeSettings;
}

/**
 * Options checked by the very rules of their variables (each value as its
 * variable's text), so an option and its variable accept the same values and
 * default alike. Problems name the option ("codeLength: must be at most 10").
 */
export function parseEdgeOptions(
  options: Record<string, unknown>,
): { ok: true; settings: EdgeSettings } | { ok: false; problems: string[] } {
  const variableOf = Object.fromEntries(
    Object.entries(EDGE_SETTINGS).map(([name, option]) => [option, name]),
  );
  const asText: Record<string, string | undefined> = {};
  for (const [option, value] of Object.entries(options)) {
    const name = variableOf[option];
    if (name !== undefined && value !== undefined) asText[name] = String(value);
  }
  const parsed = parseEnv(edgeVariables, asText);
  if (parsed.ok) return { ok: true, settings: edgeSettingsFromEnv(parsed.env) };
  return {
    ok: false,
    problems: parsed.problems.map((problem) => {
      const [name = "", ...rest] = problem.split(": ");
      const option = EDGE_SETTINGS[name as EdgeVariable];
      return option === undefined ? problem : `${option}: ${rest.join(": ")}`;
    }),
  };
}

export type ParsedEnv<S extends z.ZodRawShape> =
  | { ok: true; env: z.output<z.ZodObject<S>> }
  | { ok: false; problems: string[] };

/**
 * Parses the variables of a shape; an empty variable is as good as unset.
 * Each problem names its variable ("SMTP_URL: must start with ...").
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined>,
): ParsedEnv<S> {
  const present = Object.fromEntries(
    Object.keys(shape).map((name) => {
      const value = env[name];
      return [name, value === "" ? undefined : value];
    }),
  );
  const parsed = z.object(shape).safeParse(present);
  if (parsed.success) return { ok: true, env: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
    ),
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

export {
  clientAddress,
  type ProxyTrust,
  proxyTrust,
  type TrustProxySetting,
  trustProxyVariable,
} from "./trust-proxy.js";
