import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import cors from "@fastify/cors";
import fastifyStatic from "@fastify/static";
import type { Tracer } from "@opentelemetry/api";
import type { OtpService } from "@otp/core";
import type { DatabaseHandle } from "@otp/core/db";
import type { DevMailbox } from "@otp/email";
import {
  type ApiErrorCode,
  type AppRouter,
  answerSingleMutation,
  type Context,
  createEdge,
  createRateLimiter,
  describeError,
  httpStatusOf,
  jsonRpcCodeOf,
  type RateLimitGroup,
  SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
  TRPC_PREFIX,
  transportCodeOf,
  type WireError,
  wireError,
} from "@otp/server/internal";
import {
  type FastifyTRPCPluginOptions,
  fastifyRequestHandler,
} from "@trpc/server/adapters/fastify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { AppConfig } from "../config.js";
import { registerAccessLog } from "../observability/access-log.js";
import { READINESS_ROUTE } from "../observability/metrics.js";
import { noteErrorCode, noteWebFile } from "../observability/request-facts.js";
import { registerRequestSpans } from "../observability/request-spans.js";
import { fastifyCookieJar } from "./cookies.js";
import { registerOpenApi, rewriteDocsUrl } from "./openapi.js";
import { registerRestRoutes, sendError } from "./rest.js";
import { securityHeaders } from "./security-headers.js";

export interface ServerDependencies {
  /** Tracing on: a span per request, active for everything its handlers do. */
  tracer?: Tracer;
  /** Called once per answered request (the request-duration metric). */
  observeRequest?: (request: FastifyRequest, reply: FastifyReply) => void;
  /** Called once per request (or call of a tRPC batch) a per-IP budget refused. */
  onRateLimited?: (group: RateLimitGroup) => void;
  /** A request let through because the shared limit store (Redis) could not be reached. */
  onRateLimitStoreUnavailable?: (group: RateLimitGroup) => void;
  config: AppConfig;
  database: DatabaseHandle;
  service: OtpService;
  /** The dev mailbox, when it is the transport; its procedure exists only then. */
  mailbox: DevMailbox | undefined;
  logger: FastifyBaseLogger;
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
      void sendError(reply as unknown as FastifyReply, wireError(code));
    },
    genReqId: () => randomUUID(),
    rewriteUrl: (request) => rewriteDocsUrl(request.url ?? "/"),
    requestIdHeader: false,
    // One access-log line per request instead (observability/access-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerAccessLog(app, deps.observeRequest);
  if (deps.tracer !== undefined) registerRequestSpans(app, deps.tracer);

  // Set first, so every plugin's routes (tRPC's included) inherit it.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const wire = transportError(error);
    if (wire.code === "INTERNAL_ERROR") request.log.error({ err: error }, "request failed");
    if (request.url.startsWith(TRPC_PREFIX)) {
      // A tRPC client expects its own envelope, with tRPC's number for the code.
      noteErrorCode(request, wire.code);
      const httpStatus = httpStatusOf(wire.code);
      return reply.code(httpStatus).send({
        error: {
          message: wire.message,
          code: jsonRpcCodeOf(wire.code),
          data: { ...wire, httpStatus },
        },
      });
    }
    return sendError(reply, wire);
  });

  // Only JSON bodies are accepted; anything else is a 415, not a string to parse.
  app.removeContentTypeParser(["text/plain"]);

  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    // The database is unreachable, stalled or failing over: tell clients when to ask again
    // (REST, the error handler and a tRPC mutation answered directly; the answers tRPC's
    // handler writes itself get theirs from responseMeta).
    if (reply.statusCode === 503 && !reply.hasHeader("retry-after"))
      reply.header("retry-after", String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
    done(null, payload);
  });

  const headers: Record<string, string> = {
    ...securityHeaders({
      contentSecurityPolicy: {
        directives: {
          // No <base> element may re-point the page's relative URLs.
          "base-uri": ["'none'"],
          // The dev mailbox shows each email in a sandboxed iframe (srcdoc).
          "frame-src": ["'self'"],
          "img-src": ["'self'", "data:", "https:"],
        },
      },
    }),
    // No answer is kept by a browser or a shared cache (they carry accounts, sessions and
    // events); the web app's files set their own caching over this (below).
    "cache-control": "no-store",
  };
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
  });

  const limiter = createRateLimiter(
    config.rateLimit,
    deps.logger,
    deps.onRateLimited,
    deps.onRateLimitStoreUnavailable,
  );
  const edge = createEdge({
    service: deps.service,
    appName: config.appName,
    mailbox: deps.mailbox,
    limiter,
    secureCookies: config.appUrl.startsWith("https://"),
  });
  if (limiter !== undefined) {
    app.addHook("onClose", () => limiter.close());
    // REST: the budget of the route Fastify matched, whatever spelling reached it.
    app.addHook("onRequest", async (request, reply) => {
      const group = request.routeOptions.config?.limit;
      if (group === undefined || group === "none") return;
      const refused = await edge.spend(group, request.ip);
      if (refused !== undefined) return sendError(reply, refused);
    });
  }

  const router: AppRouter = edge.router;
  const createContext = (request: FastifyRequest, reply: FastifyReply): Context =>
    edge.contextFor({
      cookies: fastifyCookieJar(request, reply),
      ip: request.ip,
      userAgent: request.headers["user-agent"],
      acceptLanguage: request.headers["accept-language"],
      log: request.log,
      setHeader: (name, value) => void reply.header(name, value),
    });

  const onProcedureError = (
    request: FastifyRequest,
    error: { code: string; cause?: unknown },
    path: string | undefined,
  ) => {
    noteErrorCode(request, describeError(error).code);
    if (error.code === "INTERNAL_SERVER_ERROR")
      deps.logger.error({ err: error.cause ?? error, path }, "procedure failed");
  };
  const trpcOptions = {
    router,
    createContext: ({ req, res }) => createContext(req, res),
    allowBatching: true,
    maxBatchSize: 10,
    // tRPC's handler writes its answers itself (no onSend): its 503s get their Retry-After here.
    responseMeta: ({ errors }) =>
      errors.some((error) => describeError(error).code === "SERVICE_UNAVAILABLE")
        ? { headers: { "retry-after": String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS) } }
        : {},
    onError: ({ error, path, req }) => onProcedureError(req, error, path),
  } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"];
  // tRPC's handler, mounted without the adapter's plugin: that plugin also adds a
  // multipart/form-data parser that hands tRPC the raw stream, read whole whatever
  // its size (the body limit never applies) and a way for a plain HTML form to call
  // a procedure. Here the only parser is JSON, kept as text for tRPC to parse, so
  // every other body is a 415 before a byte of it is read, and BODY_LIMIT_BYTES
  // holds for tRPC as for REST.
  await app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
      done(null, body),
    );
    scope.all<{ Params: { path: string }; Querystring: { batch?: string } }>(
      `${TRPC_PREFIX}/:path`,
      async (req, res) => {
        // One JSON-POSTed mutation (what the web app and the bench mostly send) is called
        // without tRPC's Fetch round trip; anything else goes to tRPC's handler.
        const single = await answerSingleMutation({
          router,
          path: req.params.path,
          method: req.method,
          batch: req.query.batch !== undefined,
          accept: req.headers["trpc-accept"] as string | undefined,
          body: typeof req.body === "string" ? req.body : undefined,
          createContext: () => createContext(req, res),
          onError: ({ error, path }) => onProcedureError(req, error, path),
        });
        if (single === null) {
          return fastifyRequestHandler({ ...trpcOptions, req, res, path: req.params.path });
        }
        return res.code(single.status).headers(single.headers).send(single.body);
      },
    );
  });

  registerRestRoutes(app, edge.routes, createContext);
  await registerOpenApi(app, {
    policy: deps.service.policy,
    appName: config.appName,
    contentSecurityPolicy: headers["content-security-policy"] ?? "",
    cacheDir: join(config.dataDir, "api-reference"),
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get(READINESS_ROUTE, async (_request, reply) => {
    const database = await deps.database.ping();
    return reply
      .code(database ? 200 : 503)
      .send({ status: database ? "ready" : "unavailable", checks: { database } });
  });

  const webDist = resolveWebDist(config);
  if (webDist !== undefined) {
    // Every route the static plugin adds is a file of the web app: logged and counted as one
    // route (`static`), whatever the file's name.
    let addingWebFiles = true;
    app.addHook("onRoute", (route) => {
      if (addingWebFiles) route.config = { ...route.config, webFile: true };
    });
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
    addingWebFiles = false;
  }
  app.setNotFoundHandler((request, reply) => {
    if (webDist !== undefined && isPageRequest(request)) {
      noteWebFile(request);
      return reply.type("text/html").sendFile("index.html");
    }
    return sendError(reply, wireError("NOT_FOUND"));
  });

  return app;
}

/** Paths that are never a page of the web app, whatever the request accepts. */
const NOT_PAGES = ["/api/", `${TRPC_PREFIX}/`, "/metrics/"];

/**
 * A page route of the web app, which gets its index.html (the app draws the
 * page, its own "Page not found" included): a GET that accepts HTML by name,
 * of a path with no file extension, outside the API. Anything else no route
 * matched (an unknown file, /metrics, an unknown /api/ path) is a real 404.
 */
function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== "GET") return false;
  const path = (request.url.split("?")[0] ?? "/").replace(/\/+$/, "");
  if (NOT_PAGES.some((prefix) => `${path}/`.startsWith(prefix))) return false;
  if (/\.[^/]*$/.test(path)) return false;
  return acceptsHtml(request.headers.accept);
}

/** Accept names text/html with a quality above 0 (a wildcard alone does not count). */
function acceptsHtml(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((range) => {
    const [type = "", ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== "text/html") return false;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The built web app: WEB_DIST, or apps/web/dist beside this app when it has been built. */
function resolveWebDist(config: AppConfig): string | undefined {
  const candidate = config.webDist ?? join(import.meta.dirname, "..", "..", "..", "web", "dist");
  return existsSync(join(candidate, "index.html")) ? candidate : undefined;
}

/** Fastify's own errors (body parsing, routing) by their codes; anything else as any error. */
const FASTIFY_ERRORS: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INVALID_JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
};
function transportError(error: FastifyError): WireError {
  const mapped = FASTIFY_ERRORS[error.code ?? ""];
  if (mapped !== undefined) return wireError(mapped);
  if (error instanceof SyntaxError) return wireError("INVALID_JSON");
  const byStatus = error.statusCode === undefined ? undefined : transportCodeOf(error.statusCode);
  if (byStatus !== undefined && byStatus !== "INTERNAL_ERROR") return wireError(byStatus);
  return describeError(error);
}
