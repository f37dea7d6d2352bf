import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import type { OtpService } from "@otp/core";
import type { DatabaseHandle } from "@otp/core/db";
import type { DevMailbox } from "@otp/email";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type preHandlerHookHandler,
} from "fastify";
import { Redis } from "ioredis";
import type { AppConfig } from "../config.js";
import { API_ERROR_MESSAGES, API_ERRORS, type ApiErrorCode, type WireError } from "../errors.js";
import { registerAccessLog } from "../observability/access-log.js";
import {
  type LimitGroup,
  registerRestRoutes,
  restPathsIn,
  sendError,
} from "../rest/auth-routes.js";
import { type Context, sessionCookies } from "../trpc/context.js";
import { type AppRouter, createAppRouter, createProductionRouter } from "../trpc/router.js";
import { securityHeaders } from "./security-headers.js";

export interface ServerDependencies {
  config: AppConfig;
  database: DatabaseHandle;
  service: OtpService;
  /** The dev mailbox, when it is the transport; its procedure exists only then. */
  mailbox: DevMailbox | undefined;
  logger: FastifyBaseLogger;
}

const TRPC_PREFIX = "/trpc";
/** Procedures that send email: they spend the per-IP sending budget. */
const SEND_PROCEDURES = new Set([
  "auth.register",
  "auth.resendCode",
  "auth.requestSignInCode",
  "auth.requestPasswordReset",
  "account.requestEmailChange",
]);
/** Procedures that check a secret (a code or a password): they spend the per-IP guessing budget. */
const GUESS_PROCEDURES = new Set([
  "auth.verifyEmail",
  "auth.signIn",
  "auth.signInWithCode",
  "auth.resetPassword",
  "account.confirmEmailChange",
]);

/** Procedure names a tRPC URL calls (`/trpc/a.b,c.d?batch=1`). */
function trpcProcedures(url: string): string[] {
  const path = url.split("?")[0]?.slice(TRPC_PREFIX.length + 1) ?? "";
  try {
    return decodeURIComponent(path).split(",");
  } catch {
    return [];
  }
}

function callsAny(request: FastifyRequest, restPaths: string[], procedures: Set<string>): boolean {
  const path = (request.url.split("?")[0] ?? "").replace(/\/?$/, "/");
  if (restPaths.includes(path)) return true;
  if (!request.url.startsWith(`${TRPC_PREFIX}/`)) return false;
  return trpcProcedures(request.url).some((name) => procedures.has(name));
}

export async function buildServer(deps: ServerDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A tRPC batch names its procedures in the path: allow a full batch of long names.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2000 },
    // Malformed URLs get the API's error envelope, not the framework's.
    frameworkErrors: (error, _request, reply) => {
      const code: ApiErrorCode = error.code === "FST_ERR_BAD_URL" ? "NOT_FOUND" : "INVALID_INPUT";
      void sendError(reply as unknown as FastifyReply, { code, message: API_ERROR_MESSAGES[code] });
    },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One access-log line per request instead (observability/access-log.ts).
    disableRequestLogging: true,
  });
  registerAccessLog(app);

  // Set first, so every plugin's routes (tRPC's included) inherit it.
  app.setErrorHandler((error: FastifyError & { retryAfterMs?: number }, request, reply) => {
    const wire = transportError(error);
    if (error.retryAfterMs !== undefined)
      wire.retryAt = new Date(Date.now() + error.retryAfterMs).toISOString();
    if (wire.code === "INTERNAL_ERROR") request.log.error({ err: error }, "request failed");
    if (error.retryAfterMs !== undefined) {
      reply.header("retry-after", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    }
    if (request.url.startsWith(TRPC_PREFIX)) {
      // A tRPC client expects its own envelope.
      return reply.code(API_ERRORS[wire.code].status).send({
        error: {
          message: wire.message,
          code: -32600,
          data: { ...wire, httpStatus: API_ERRORS[wire.code].status },
        },
      });
    }
    return sendError(reply, wire);
  });

  // Only JSON bodies are accepted; anything else is a 415, not a string to parse.
  app.removeContentTypeParser(["text/plain"]);

  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    done(null, payload);
  });

  const headers = securityHeaders({
    // The dev mailbox shows each email in a sandboxed iframe (srcdoc).
    contentSecurityPolicy: {
      directives: { "frame-src": ["'self'"], "img-src": ["'self'", "data:", "https:"] },
    },
  });
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
  });

  await app.register(cookie);
  const limits: Partial<Record<LimitGroup, preHandlerHookHandler>> = {};
  if (config.rateLimit.enabled) {
    const redis =
      config.rateLimit.redisUrl === undefined
        ? undefined
        : new Redis(config.rateLimit.redisUrl, {
            connectTimeout: 2000,
            maxRetriesPerRequest: 1,
            lazyConnect: false,
          });
    if (redis !== undefined) app.addHook("onClose", async () => void redis.quit());
    await app.register(rateLimit, {
      global: false,
      ...(redis === undefined ? {} : { redis, nameSpace: config.rateLimit.redisPrefix }),
      // A shared store that is down must not take the API down with it.
      skipOnError: true,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: "RATE_LIMITED",
        message: API_ERROR_MESSAGES.RATE_LIMITED,
        retryAfterMs: context.ttl,
      }),
    });
    const restSend = restPathsIn("send");
    const restGuess = restPathsIn("guess");
    // Each budget has a key space of its own (the plugin's groupId applies to route configs only).
    limits.send = app.rateLimit({
      max: config.rateLimit.sendPerHour,
      timeWindow: "1 hour",
      keyGenerator: (request) => `send:${request.ip}`,
      allowList: (request) => !callsAny(request, restSend, SEND_PROCEDURES),
    });
    limits.guess = app.rateLimit({
      max: config.rateLimit.verifyPerMinute,
      timeWindow: "1 minute",
      keyGenerator: (request) => `guess:${request.ip}`,
      allowList: (request) => !callsAny(request, restGuess, GUESS_PROCEDURES),
    });
  }

  const router: AppRouter =
    deps.mailbox === undefined
      ? (createProductionRouter(deps.service.policy) as unknown as AppRouter)
      : createAppRouter(deps.service.policy);
  const secureCookies = config.appUrl.startsWith("https://");
  const createContext = (request: FastifyRequest, reply: FastifyReply): Context => ({
    service: deps.service,
    appName: config.appName,
    mailbox: deps.mailbox,
    log: request.log,
    session: sessionCookies(request, reply, secureCookies),
  });

  // The tRPC routes get the same per-IP limits as the REST routes. The plugin runs
  // at most one limiter per request, so one hook picks the budget the call spends:
  // guessing when any procedure in the batch checks a secret, else sending.
  const trpcLimit: preHandlerHookHandler = function (request, reply, done) {
    const procedures = trpcProcedures(request.url);
    const limit = procedures.some((name) => GUESS_PROCEDURES.has(name))
      ? limits.guess
      : procedures.some((name) => SEND_PROCEDURES.has(name))
        ? limits.send
        : undefined;
    if (limit === undefined) return done();
    return limit.call(this, request, reply, done);
  };
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith(TRPC_PREFIX) && Object.keys(limits).length > 0) {
      const existing = route.preHandler === undefined ? [] : [route.preHandler].flat();
      route.preHandler = [...existing, trpcLimit];
    }
  });
  await app.register(fastifyTRPCPlugin, {
    prefix: TRPC_PREFIX,
    trpcOptions: {
      router,
      createContext: ({ req, res }) => createContext(req, res),
      allowBatching: true,
      maxBatchSize: 10,
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR")
          deps.logger.error({ err: error.cause ?? error, path }, "procedure failed");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  registerRestRoutes(app, { router, createContext, limits });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const database = await deps.database.ping();
    return reply
      .code(database ? 200 : 503)
      .send({ status: database ? "ready" : "unavailable", checks: { database } });
  });

  const webDist = resolveWebDist(config);
  if (webDist !== undefined) {
    await app.register(fastifyStatic, {
      root: webDist,
      wildcard: false,
      index: ["index.html"],
      // The build writes .br and .gz beside each file; serve those when the browser accepts them.
      preCompressed: true,
      setHeaders: (res, path) => {
        // Hashed file names never change content: cache them for good. index.html must revalidate.
        res.header(
          "cache-control",
          /[/\\]assets[/\\]/.test(path) ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage =
      request.method === "GET" &&
      !request.url.startsWith("/api/") &&
      !request.url.startsWith(TRPC_PREFIX);
    if (isPage && webDist !== undefined) return reply.type("text/html").sendFile("index.html");
    return sendError(reply, { code: "NOT_FOUND", message: API_ERROR_MESSAGES.NOT_FOUND });
  });

  return app;
}

/** The built web app: WEB_DIST, or apps/web/dist beside this app when it has been built. */
function resolveWebDist(config: AppConfig): string | undefined {
  const candidate = config.webDist ?? join(import.meta.dirname, "..", "..", "..", "web", "dist");
  return existsSync(join(candidate, "index.html")) ? candidate : undefined;
}

function transportError(error: FastifyError & { code?: string }): WireError {
  const byCode: Record<string, ApiErrorCode> = {
    RATE_LIMITED: "RATE_LIMITED",
    FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
    FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INVALID_JSON",
    FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
    FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  };
  const mapped = byCode[error.code ?? ""];
  if (mapped !== undefined) return { code: mapped, message: API_ERROR_MESSAGES[mapped] };
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return { code: "INVALID_JSON", message: API_ERROR_MESSAGES.INVALID_JSON };
  }
  if (error.statusCode === 405)
    return { code: "METHOD_NOT_ALLOWED", message: API_ERROR_MESSAGES.METHOD_NOT_ALLOWED };
  if (error.statusCode === 404) return { code: "NOT_FOUND", message: API_ERROR_MESSAGES.NOT_FOUND };
  if (error.statusCode === 413)
    return { code: "PAYLOAD_TOO_LARGE", message: API_ERROR_MESSAGES.PAYLOAD_TOO_LARGE };
  if (error.statusCode === 415) {
    return { code: "UNSUPPORTED_MEDIA_TYPE", message: API_ERROR_MESSAGES.UNSUPPORTED_MEDIA_TYPE };
  }
  return { code: "INTERNAL_ERROR", message: API_ERROR_MESSAGES.INTERNAL_ERROR };
}
