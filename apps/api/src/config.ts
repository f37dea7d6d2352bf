import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_PASSWORD_BREACH_URL, MIN_SECRET_LENGTH, type PasscodePolicy } from "@otp/core";
import {
  cleanupVariables,
  databaseVariables,
  flag,
  integer,
  type ProxyTrust,
  parseEnv,
  policyFromEnv,
  policyVariables,
  productVariables,
  proxyTrust,
  proxyVariables,
  rateLimitVariables,
  requestVariables,
  retentionVariables,
  sessionVariables,
  tracingVariables,
  variableRules,
} from "@otp/env";
import { z } from "zod";

/**
 * The whole configuration, read from the environment once at start-up. This
 * is the only module of the API that reads `process.env`; everything else
 * receives the parsed object. The shared variables are declared in @otp/env.
 */
const apiVariables = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: integer(0, 65_535).default(3000),
  HOST: z.string().trim().optional(),
  ...databaseVariables,
  APP_SECRET: variableRules.APP_SECRET().optional(),
  APP_URL: variableRules.APP_URL().optional(),
  ...productVariables,
  SMTP_URL: variableRules.SMTP_URL().optional(),
  SMTP_FROM: variableRules.SMTP_FROM().optional(),
  ...policyVariables,
  ...sessionVariables,
  ...cleanupVariables,
  ...retentionVariables,
  ...rateLimitVariables,
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, { error: "must start with redis:// or rediss://" })
    .optional(),
  RATE_LIMIT_REDIS_PREFIX: z.string().trim().min(1).max(100).default("otp-rate-limit:"),
  CORS_ORIGINS: z.string().optional(),
  ...proxyVariables,
  ...requestVariables,
  DELIVERY: z.enum(["inline", "off"], { error: "must be inline or off" }).default("inline"),
  WEB_DIST: z.string().trim().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"], { error: "must be json or pretty" }).optional(),
  METRICS_PORT: integer(0, 65_535).optional(),
  METRICS_HOST: z.string().trim().min(1).default("127.0.0.1"),
  ...tracingVariables,
  // New passwords are also looked up in a breach corpus by k-anonymity range query (issue 23).
  PASSWORD_BREACH_CHECK: flag.default(false),
  PASSWORD_BREACH_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .default(DEFAULT_PASSWORD_BREACH_URL),
};

export interface AppConfig {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** DATABASE_DIRECT_URL: the server itself, for LISTEN and the migrations; unset: databaseUrl. */
  databaseDirectUrl: string | undefined;
  /** DATABASE_PREPARED_STATEMENTS: false through PgBouncer in transaction mode. */
  databasePreparedStatements: boolean;
  databasePoolSize: number;
  dataDir: string;
  secret: string;
  /** Where the secret came from: the environment, or generated and kept under the data dir. */
  secretSource: "env" | "generated" | "stored";
  appUrl: string;
  appName: string;
  /** PASSWORD_BREACH_CHECK on: the range API's base URL (PASSWORD_BREACH_URL); else undefined. */
  passwordBreachUrl: string | undefined;
  smtpUrl: string | undefined;
  smtpFrom: string;
  policy: PasscodePolicy;
  sessionTtlSeconds: number;
  /** Seconds between cleanups of used/expired codes, expired sessions and old finished emails; 0 = off. */
  cleanupIntervalSeconds: number;
  /** Finished outbox rows older than this many days are deleted by the cleanup. */
  outboxRetentionDays: number;
  /** Security events older than this many days are deleted by the cleanup. */
  securityEventRetentionDays: number;
  rateLimit: {
    enabled: boolean;
    sendPerHour: number;
    verifyPerMinute: number;
    redisUrl: string | undefined;
    redisPrefix: string;
  };
  corsOrigins: string[];
  /** Which X-Forwarded-For entries are proxies (TRUST_PROXY); Fastify's `trustProxy` takes it as is. */
  trustProxy: ProxyTrust;
  bodyLimitBytes: number;
  delivery: "inline" | "off";
  webDist: string | undefined;
  logLevel: string;
  /** Unset: pretty in development on a terminal, JSON otherwise. */
  logFormat: "json" | "pretty" | undefined;
  /** Prometheus metrics on a listener of their own at this port (0: any free port); unset: none. */
  metricsPort: number | undefined;
  /** The metrics listener's interface (METRICS_HOST): loopback unless set, whatever HOST is. */
  metricsHost: string;
  /** OpenTelemetry traces over OTLP/HTTP to this collector; unset: no tracing. */
  otlpEndpoint: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parseEnv(apiVariables, env);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  const e = parsed.env;
  const production = e.NODE_ENV === "production";
  const problems: string[] = [];
  if (production && e.APP_SECRET === undefined) {
    problems.push("APP_SECRET: required when NODE_ENV=production (at least 32 random characters)");
  }
  if (production && e.APP_URL === undefined) {
    problems.push(
      "APP_URL: required when NODE_ENV=production (the public https:// address of the app: its links and cookies depend on it)",
    );
  }
  if (production && e.SMTP_URL === undefined) {
    problems.push(
      "SMTP_URL: required when NODE_ENV=production (the dev mailbox is for development only)",
    );
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    problems.push("METRICS_PORT: must differ from PORT (the metrics never share the public port)");
  }
  const host = e.HOST ?? (production ? "0.0.0.0" : "127.0.0.1");
  if (e.SMTP_URL === undefined && !isLoopback(host)) {
    problems.push(
      `HOST: the dev mailbox (no SMTP_URL) shows every code to whoever can reach the API, so it listens on loopback only; set SMTP_URL, or HOST=127.0.0.1`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolve(e.DATA_DIR);
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
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    secret: secret.value,
    secretSource: secret.source,
    appUrl: appUrl.replace(/\/+$/, ""),
    appName: e.APP_NAME,
    passwordBreachUrl: e.PASSWORD_BREACH_CHECK ? e.PASSWORD_BREACH_URL : undefined,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM ?? `${e.APP_NAME} <no-reply@${new URL(appUrl).hostname}>`,
    policy: policyFromEnv(e),
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    cleanupIntervalSeconds: e.CLEANUP_INTERVAL_SECONDS,
    outboxRetentionDays: e.OUTBOX_RETENTION_DAYS,
    securityEventRetentionDays: e.SECURITY_EVENT_RETENTION_DAYS,
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
    trustProxy: proxyTrust(e.TRUST_PROXY),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    delivery: e.DELIVERY,
    webDist: e.WEB_DIST,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}

/** A loopback interface: `localhost`, 127.0.0.0/8 or ::1 (as text, before any lookup). */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
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
