/**
 * `createOtp`: the product embedded in another app. One call opens (or takes)
 * the database, applies the migrations, starts in-process delivery and returns
 * the edge as a Fetch handler, a session reader for the host's own routes,
 * typed server-side calls, and `close()`.
 */
import {
  createOtpService,
  type OtpService,
  type SignedInUser,
  warmPasswordEstimator,
} from "@otp/core";
import { createDatabase, type DatabaseHandle } from "@otp/core/db";
import { createRenderer, type MailTransport } from "@otp/email";
import {
  type EdgeSettingOptions,
  type EdgeSettings,
  parseEdgeOptions,
  proxyTrust,
  variableRules,
} from "@otp/env";
import { parseCookie } from "cookie";
import { type Logger, pino } from "pino";
import { z } from "zod";
import { createDelivery, type Delivery } from "./delivery.js";
import { createEdge } from "./edge.js";
import {
  cookieJar,
  createFetchHandler,
  type HandlerContext,
  UNKNOWN_CLIENT,
} from "./fetch-handler.js";
import { SUPPORTED_LOCALES } from "./locale.js";
import { createRateLimiter } from "./rate-limit.js";
import { cookieName } from "./trpc/context.js";
import { createCallerFactory } from "./trpc/init.js";
import type { AppRouter } from "./trpc/router.js";

/** Where the data lives: a PostgreSQL server, a PGlite directory, or a database already open. */
export type DatabaseOption =
  | { url: string; poolSize?: number }
  | { dataDir: string }
  | DatabaseHandle;

export interface OtpOptions extends EdgeSettingOptions {
  database: DatabaseOption;
  /** The server secret (APP_SECRET): at least 32 random characters; every key derives from it. */
  secret: string;
  /** Where the app is served (APP_URL): the links in the emails point here. */
  appUrl: string;
  /** How emails leave: SMTP, the dev mailbox, or any `MailTransport` (`@otp/email`). */
  mail: MailTransport;
  /** Apply the database migrations at start (default true). */
  migrate?: boolean;
  /** Send the outbox's emails from this process (default "inline"; "off": another process does). */
  delivery?: "inline" | "off";
  /** The prefix the routes are mounted under (default none: `/api/v1/...`, `/trpc/...`). */
  basePath?: string;
  /** A Redis URL for per-IP budgets shared by several instances (REDIS_URL). */
  rateLimitRedisUrl?: string;
  /** Default: warnings and errors to stdout as JSON lines. */
  logger?: Logger;
}

/** The signed-in account of a request, for the host's own routes. */
export type OtpSession = Omit<SignedInUser, never>;

/** A request's cookies and client, for server-side calls made on its behalf. */
export interface CallOptions extends HandlerContext {
  /** The request's headers (its cookies: session, registration binding, device). */
  headers?: Headers;
  /** Where the calls' cookies go (`Set-Cookie`), to copy into the host's answer. */
  responseHeaders?: Headers;
}

export type OtpCaller = ReturnType<AppRouter["createCaller"]>;

export interface Otp {
  /** Every REST route (`/api/v1/...`) and tRPC procedure (`/trpc/...`), as the standalone server answers them. */
  handler(request: Request, context?: HandlerContext): Promise<Response>;
  /** The signed-in account of these headers' session cookie, or null. */
  getSession(headers: Headers): Promise<OtpSession | null>;
  /**
   * The operations as typed calls (`await otp.api.auth.rules()`), with no
   * request: no cookies read, those set dropped. `otp.callerFor({ headers })`
   * makes them on behalf of a request.
   */
  api: OtpCaller;
  callerFor(options: CallOptions): OtpCaller;
  /** The service underneath (`@otp/core`), for what the edge does not expose. */
  service: OtpService;
  /** The settings in force (options and defaults). */
  settings: EdgeSettings;
  /** Stops the cleanup and delivery and closes a database it opened. Idempotent. */
  close(): Promise<void>;
}

const requiredOptions = z.object({
  secret: variableRules.APP_SECRET("is required"),
  appUrl: variableRules.APP_URL("is required"),
  basePath: z
    .string()
    .regex(/^(\/[\w.~-]+)*\/?$/, { error: "must be a path like /auth" })
    .optional(),
});

export class OtpOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid createOtp options:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "OtpOptionsError";
  }
}

function isHandle(database: DatabaseOption): database is DatabaseHandle {
  return typeof (database as DatabaseHandle).migrate === "function";
}

export async function createOtp(options: OtpOptions): Promise<Otp> {
  const required = requiredOptions.safeParse(options);
  const parsed = parseEdgeOptions(options as unknown as Record<string, unknown>);
  const problems = [
    ...(required.success
      ? []
      : required.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`)),
    ...(parsed.ok ? [] : parsed.problems),
  ];
  if (!parsed.ok || problems.length > 0) throw new OtpOptionsError(problems);
  const settings = parsed.settings;
  const appUrl = options.appUrl.trim().replace(/\/+$/, "");
  const logger = options.logger ?? pino({ level: "warn" });

  // New passwords are rated by zxcvbn in a worker that ranks its dictionaries first (about
  // two seconds): started now and awaited before createOtp returns, so no request waits for
  // it (the first registration would otherwise run into the deadline), as the standalone server.
  const passwordEstimator = warmPasswordEstimator();
  passwordEstimator.catch(() => {});
  const ownsDatabase = !isHandle(options.database);
  const database = isHandle(options.database)
    ? options.database
    : await createDatabase(
        "url" in options.database
          ? {
              url: options.database.url,
              poolSize: options.database.poolSize,
              connectTimeoutSeconds: 5,
            }
          : { dataDir: options.database.dataDir },
      );
  try {
    if (options.migrate !== false) await database.migrate();
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }

  let delivery: Delivery | undefined;
  const service = createOtpService({
    db: database.db,
    secret: options.secret,
    policy: {
      codeLength: settings.codeLength,
      codeTtlSeconds: settings.codeTtlSeconds,
      maxFailedAttempts: settings.maxFailedAttempts,
      attemptWindowSeconds: settings.attemptWindowSeconds,
      maxSendsPerWindow: settings.maxSendsPerWindow,
      sendWindowSeconds: settings.sendWindowSeconds,
      sendCooldownSeconds: settings.sendCooldownSeconds,
      passwordMaxFailures: settings.passwordMaxFailures,
      passwordFailureWindowSeconds: settings.passwordFailureWindowSeconds,
      maxConsecutiveFailures: settings.maxConsecutiveFailures,
      unlockTokenTtlSeconds: settings.unlockTokenTtlSeconds,
      passwordMinLength: settings.passwordMinLength,
    },
    sessionTtlSeconds: settings.sessionTtlSeconds,
    locales: SUPPORTED_LOCALES,
    logger: logger.child({ component: "otp" }),
    passwordCheck: { serviceName: settings.appName },
    onEmailQueued: () => delivery?.wake(),
  });
  if (options.delivery !== "off") {
    delivery = createDelivery({
      database,
      secret: options.secret,
      renderer: createRenderer({ productName: settings.appName, baseUrl: appUrl }),
      transport: options.mail,
      logger,
    });
    await delivery.start();
  }
  await passwordEstimator.catch(() => undefined);
  const cleanup = startCleanup(service, settings, logger);

  const limiter = createRateLimiter(
    {
      enabled: settings.rateLimitEnabled,
      sendPerHour: settings.rateLimitSendPerHour,
      verifyPerMinute: settings.rateLimitVerifyPerMinute,
      redisUrl: options.rateLimitRedisUrl,
      redisPrefix: "otp-rate-limit:",
    },
    logger,
  );
  const edge = createEdge({
    service,
    appName: settings.appName,
    mailbox: undefined,
    limiter,
    secureCookies: appUrl.startsWith("https://"),
  });
  const handler = createFetchHandler({
    edge,
    basePath: options.basePath ?? "",
    bodyLimitBytes: settings.bodyLimitBytes,
    trustProxy: proxyTrust(settings.trustProxy),
    logger,
  });
  const createCaller = createCallerFactory(edge.router);
  const callerFor = (call: CallOptions): OtpCaller => {
    const requestHeaders = call.headers ?? new Headers();
    const answerHeaders = call.responseHeaders ?? new Headers();
    return createCaller(
      edge.contextFor({
        cookies: cookieJar(requestHeaders, answerHeaders),
        ip: call.clientAddress ?? UNKNOWN_CLIENT,
        userAgent: requestHeaders.get("user-agent") ?? undefined,
        acceptLanguage: requestHeaders.get("accept-language") ?? undefined,
        log: logger,
        setHeader: (name, value) => answerHeaders.set(name, value),
      }),
    );
  };

  // `__Host-` prefixed over https (trpc/context.ts COOKIES).
  const sessionCookie = cookieName("session", appUrl.startsWith("https://"));
  let closing: Promise<void> | undefined;
  return {
    handler,
    async getSession(headers) {
      const token = parseCookie(headers.get("cookie") ?? "")[sessionCookie];
      if (token === undefined) return null;
      const user = await service.authenticate(token);
      return user.ok ? user.value : null;
    },
    api: callerFor({}),
    callerFor,
    service,
    settings,
    close() {
      closing ??= (async () => {
        clearInterval(cleanup);
        await delivery?.stop();
        await limiter?.close();
        await options.mail.close();
        if (ownsDatabase) await database.close();
      })();
      return closing;
    },
  };
}

/**
 * Used and expired codes, finished limit windows, expired sessions and old
 * finished emails, on an interval (each statement one bounded batch); a run
 * still going when the next is due makes the next skip.
 */
export function startCleanup(
  service: OtpService,
  settings: Pick<
    EdgeSettings,
    "cleanupIntervalSeconds" | "outboxRetentionDays" | "securityEventRetentionDays"
  >,
  logger: Pick<Logger, "warn">,
): NodeJS.Timeout | undefined {
  if (settings.cleanupIntervalSeconds <= 0) return undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    service
      .cleanup({
        outboxRetentionDays: settings.outboxRetentionDays,
        securityEventRetentionDays: settings.securityEventRetentionDays,
      })
      .catch((error: unknown) => logger.warn({ err: error }, "scheduled cleanup failed"))
      .finally(() => {
        running = false;
      });
  }, settings.cleanupIntervalSeconds * 1000);
  timer.unref();
  return timer;
}
