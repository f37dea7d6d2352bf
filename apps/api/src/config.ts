import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MIN_SECRET_LENGTH, type PasscodePolicyInput } from "@otp/core";
import { isPostgresUrl } from "@otp/core/db";
import { DEFAULT_OUTBOX_RETENTION_DAYS, OUTBOX_RETENTION_DAYS_RANGE } from "@otp/core/repositories";
import { z } from "zod";

/**
 * The whole configuration, read from the environment once at start-up. This
 * is the only module that reads `process.env`; everything else receives the
 * parsed object.
 */
const flag = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((value) => value === "true" || value === "1");
const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: integer(0, 65_535).default(3000),
  HOST: optionalText,
  DATABASE_URL: optionalText.refine((value) => value === undefined || isPostgresUrl(value), {
    error: "must start with postgres:// or postgresql://",
  }),
  // At least 2: migrations hold one connection for their lock while they run on another.
  DATABASE_POOL_SIZE: integer(2, 200).default(10),
  DATA_DIR: z.string().default(".data"),
  APP_SECRET: optionalText.refine(
    (value) => value === undefined || value.length >= MIN_SECRET_LENGTH,
    {
      error: `must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 48)`,
    },
  ),
  APP_URL: optionalText.pipe(z.url({ error: "must be a URL like https://example.com" }).optional()),
  APP_NAME: z.string().trim().min(1).max(60).default("OTP"),
  SMTP_URL: optionalText.refine((value) => value === undefined || /^smtps?:\/\//.test(value), {
    error: "must start with smtp:// or smtps://",
  }),
  SMTP_FROM: optionalText,
  OTP_LENGTH: integer(6, 12).default(8),
  OTP_TTL_SECONDS: integer(30, 86_400).default(900),
  OTP_MAX_ATTEMPTS: integer(1, 100).default(5),
  OTP_ATTEMPT_WINDOW_SECONDS: integer(1, 86_400).default(900),
  OTP_SEND_LIMIT: integer(1, 1000).default(10),
  OTP_SEND_WINDOW_SECONDS: integer(1, 86_400).default(3600),
  OTP_SEND_COOLDOWN_SECONDS: integer(0, 3600).default(0),
  SESSION_TTL_SECONDS: integer(300, 31_536_000).default(2_592_000),
  CLEANUP_INTERVAL_SECONDS: integer(0, 86_400).default(3600),
  OUTBOX_RETENTION_DAYS: integer(
    OUTBOX_RETENTION_DAYS_RANGE.min,
    OUTBOX_RETENTION_DAYS_RANGE.max,
  ).default(DEFAULT_OUTBOX_RETENTION_DAYS),
  RATE_LIMIT_ENABLED: flag.default(true),
  RATE_LIMIT_SEND_PER_HOUR: integer(1, 1_000_000).default(60),
  RATE_LIMIT_VERIFY_PER_MINUTE: integer(1, 1_000_000).default(30),
  REDIS_URL: optionalText.refine((value) => value === undefined || /^rediss?:\/\//.test(value), {
    error: "must start with redis:// or rediss://",
  }),
  RATE_LIMIT_REDIS_PREFIX: z.string().trim().min(1).max(100).default("otp-rate-limit:"),
  CORS_ORIGINS: optionalText,
  TRUST_PROXY: flag.default(false),
  BODY_LIMIT_BYTES: integer(1024, 1_048_576).default(16_384),
  DELIVERY: z.enum(["inline", "off"], { error: "must be inline or off" }).default("inline"),
  WEB_DIST: optionalText,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"], { error: "must be json or pretty" }).optional(),
  METRICS_PORT: integer(0, 65_535).optional(),
});

export interface AppConfig {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  secret: string;
  /** Where the secret came from: the environment, or generated and kept under the data dir. */
  secretSource: "env" | "generated" | "stored";
  appUrl: string;
  appName: string;
  smtpUrl: string | undefined;
  smtpFrom: string;
  policy: Required<PasscodePolicyInput>;
  sessionTtlSeconds: number;
  /** Seconds between cleanups of used/expired codes, expired sessions and old finished emails; 0 = off. */
  cleanupIntervalSeconds: number;
  /** Finished outbox rows older than this many days are deleted by the cleanup. */
  outboxRetentionDays: number;
  rateLimit: {
    enabled: boolean;
    sendPerHour: number;
    verifyPerMinute: number;
    redisUrl: string | undefined;
    redisPrefix: string;
  };
  corsOrigins: string[];
  trustProxy: boolean;
  bodyLimitBytes: number;
  delivery: "inline" | "off";
  webDist: string | undefined;
  logLevel: string;
  /** Unset: pretty in development on a terminal, JSON otherwise. */
  logFormat: "json" | "pretty" | undefined;
  /** Prometheus metrics on a listener of their own at this port (0: any free port); unset: none. */
  metricsPort: number | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
      ),
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const problems: string[] = [];
  if (production && e.APP_SECRET === undefined) {
    problems.push("APP_SECRET: required when NODE_ENV=production (at least 32 random characters)");
  }
  if (production && e.SMTP_URL === undefined) {
    problems.push(
      "SMTP_URL: required when NODE_ENV=production (the dev mailbox is for development only)",
    );
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    problems.push("METRICS_PORT: must differ from PORT (the metrics never share the public port)");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolve(e.DATA_DIR);
  const host = e.HOST ?? (production ? "0.0.0.0" : "127.0.0.1");
  const appUrl = e.APP_URL ?? `http://localhost:${e.PORT}`;
  const secret =
    e.APP_SECRET === undefined
      ? loadOrCreateSecret(dataDir)
      : { value: e.APP_SECRET, source: "env" as const };
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    secret: secret.value,
    secretSource: secret.source,
    appUrl: appUrl.replace(/\/+$/, ""),
    appName: e.APP_NAME,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM ?? `${e.APP_NAME} <no-reply@${new URL(appUrl).hostname}>`,
    policy: {
      codeLength: e.OTP_LENGTH,
      codeTtlSeconds: e.OTP_TTL_SECONDS,
      maxFailedAttempts: e.OTP_MAX_ATTEMPTS,
      attemptWindowSeconds: e.OTP_ATTEMPT_WINDOW_SECONDS,
      maxSendsPerWindow: e.OTP_SEND_LIMIT,
      sendWindowSeconds: e.OTP_SEND_WINDOW_SECONDS,
      sendCooldownSeconds: e.OTP_SEND_COOLDOWN_SECONDS,
    },
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    cleanupIntervalSeconds: e.CLEANUP_INTERVAL_SECONDS,
    outboxRetentionDays: e.OUTBOX_RETENTION_DAYS,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      sendPerHour: e.RATE_LIMIT_SEND_PER_HOUR,
      verifyPerMinute: e.RATE_LIMIT_VERIFY_PER_MINUTE,
      redisUrl: e.REDIS_URL,
      redisPrefix: e.RATE_LIMIT_REDIS_PREFIX,
    },
    corsOrigins: (e.CORS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
    trustProxy: e.TRUST_PROXY,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    delivery: e.DELIVERY,
    webDist: e.WEB_DIST,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metricsPort: e.METRICS_PORT,
  };
}

/**
 * Development convenience: a random secret generated on first start and kept
 * (mode 600) under the data directory, so codes issued before a restart still
 * verify after it. Production refuses to start without APP_SECRET instead.
 */
function loadOrCreateSecret(dataDir: string): { value: string; source: "generated" | "stored" } {
  const file = join(dataDir, "app-secret");
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= MIN_SECRET_LENGTH) return { value: stored, source: "stored" };
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(48).toString("base64url");
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value, source: "generated" };
}
