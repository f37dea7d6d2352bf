import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import {
  createOtpService,
  LOG_SERIALIZERS,
  type OtpService,
  warmPasswordEstimator,
} from "@otp/core";
import { createDatabase, type DatabaseHandle } from "@otp/core/db";
import {
  createRenderer,
  createTransportFromConfig,
  type DevMailbox,
  type MailTransport,
} from "@otp/email";
import {
  createDelivery,
  type Delivery,
  SUPPORTED_LOCALES,
  TRACER_NAME,
} from "@otp/server/internal";
import type { FastifyInstance } from "fastify";
import { type Logger, type LoggerOptions, pino } from "pino";
import type { AppConfig } from "./config.js";
import { boundHeapGrowth } from "./heap.js";
import { buildServer } from "./http/server.js";
import { createFormattedLogger, resolveLogFormat } from "./observability/access-log.js";
import { createMetrics } from "./observability/metrics.js";

export interface RunningApp {
  config: AppConfig;
  url: string;
  server: FastifyInstance;
  database: DatabaseHandle;
  service: OtpService;
  mailbox: DevMailbox | undefined;
  delivery: Delivery | undefined;
  /** The metrics listener (METRICS_PORT), never the public port; undefined when off. */
  metricsUrl: string | undefined;
  /** Stops accepting, drains requests, stops delivery, closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Reuse an open database (tests); otherwise one is opened from the config. */
  database?: DatabaseHandle;
  /** Where the dev mailbox prints its one line per message (default: stdout). */
  devMailboxLog?: (line: string) => void;
  /**
   * Use this transport instead of the one the config names (benchmarks: the
   * production build with a transport that delivers nowhere).
   */
  transport?: MailTransport;
  /** Tracing on, exporting to this instead of OTLP (tests: the SDK's InMemorySpanExporter). */
  traceExporter?: SpanExporter;
}

/** Bytes of JSON log lines gathered before one write, and the longest a line waits. */
const LOG_BUFFER_BYTES = 8192;
const LOG_FLUSH_MS = 50;

export function createLogger(config: AppConfig): Logger {
  const format = resolveLogFormat(config.logFormat, config.env);
  if (format !== "json") return createFormattedLogger(logOptions(config), format);
  // JSON lines are gathered and written to stdout in batches: one write per 8 KiB or per
  // 50 ms instead of one synchronous write per line (those writes were about a tenth of a
  // verification's CPU in the profile). Pending lines are flushed when the process exits.
  const destination = pino.destination({ dest: 1, minLength: LOG_BUFFER_BYTES, sync: false });
  setInterval(() => destination.flush(), LOG_FLUSH_MS).unref();
  return pino(logOptions(config), destination);
}

function logOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.logLevel,
    // Paths only: a query string may carry an address (the web app's /verify?email=...).
    serializers: {
      // A failed statement's parameters never reach a log (issue 23, finding 8).
      ...LOG_SERIALIZERS,
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split("?")[0],
      }),
    },
    // Belt and braces: these never reach a log call, and would be hidden if they did.
    redact: {
      paths: [
        "password",
        "code",
        "otp",
        "secret",
        "*.password",
        "*.code",
        "*.otp",
        "req.headers.cookie",
        "req.headers.authorization",
      ],
      censor: "[redacted]",
    },
  };
}

/** Opens the database, applies migrations, wires service, email and delivery, and listens. */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  boundHeapGrowth();
  // A logger passed in gets the same error serializer: no statement's parameters in any log.
  const logger =
    options.logger?.child({}, { serializers: LOG_SERIALIZERS }) ?? createLogger(config);
  // Loaded only when on: the SDK is sizeable, and nothing else needs it.
  const tracing =
    config.otlpEndpoint === undefined && options.traceExporter === undefined
      ? undefined
      : (await import("@otp/tracing")).startTracing({
          endpoint: config.otlpEndpoint,
          exporter: options.traceExporter,
          serviceName: config.appName,
          tracerName: TRACER_NAME,
        });
  const database =
    options.database ??
    (await createDatabase({
      url: config.databaseUrl,
      directUrl: config.databaseDirectUrl,
      preparedStatements: config.databasePreparedStatements,
      dataDir: `${config.dataDir}/pglite`,
      poolSize: config.databasePoolSize,
      connectTimeoutSeconds: 5,
    }));
  if (tracing !== undefined) database.observeStatements?.(tracing.onStatement);
  const ownsDatabase = options.database === undefined;
  try {
    await database.migrate();
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }

  const transport: MailTransport & { kind?: string } =
    options.transport ??
    createTransportFromConfig({
      smtpUrl: config.smtpUrl,
      smtpFrom: config.smtpFrom,
      devMailbox: {
        log: options.devMailboxLog ?? ((line) => process.stdout.write(`${line}\n`)),
        baseUrl: config.appUrl,
      },
    });
  // The dev mailbox procedure exists only when the mailbox came from the config (never in production).
  const mailbox =
    options.transport === undefined && transport.kind === "dev-mailbox"
      ? (transport as DevMailbox)
      : undefined;
  const renderer = createRenderer({ productName: config.appName, baseUrl: config.appUrl });

  let delivery: Delivery | undefined;
  // Delivery's own pool, when it has one, is reported beside the request pool.
  let deliveryDatabase: DatabaseHandle | undefined;
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : createMetrics({
          database,
          pools: {
            get delivery() {
              return deliveryDatabase;
            },
          },
          logger: logger.child({ component: "metrics" }),
        });
  // New passwords are rated by zxcvbn in a worker that ranks its dictionaries first (about
  // two seconds): started now, awaited before listening, so no request waits for it.
  const passwordEstimator = warmPasswordEstimator();
  passwordEstimator.catch(() => {});
  const service = createOtpService({
    db: database.db,
    secret: config.secret,
    policy: config.policy,
    sessionTtlSeconds: config.sessionTtlSeconds,
    locales: SUPPORTED_LOCALES,
    logger: logger.child({ component: "otp" }),
    passwordCheck: {
      serviceName: config.appName,
      ...(config.passwordBreachUrl === undefined
        ? {}
        : { breachCheck: { url: config.passwordBreachUrl } }),
    },
    onEmailQueued: () => delivery?.wake(),
    ...(metrics === undefined ? {} : { observer: metrics.otpObserver }),
  });
  // On PostgreSQL, delivery gets connections of its own: sharing the request pool, it
  // starved under load (the outbox grew while requests held every connection).
  if (config.delivery === "inline") {
    deliveryDatabase =
      database.kind === "postgres" && config.databaseUrl !== undefined
        ? await createDatabase({
            url: config.databaseUrl,
            directUrl: config.databaseDirectUrl,
            preparedStatements: config.databasePreparedStatements,
            poolSize: 2,
            connectTimeoutSeconds: 5,
            onStatement: tracing?.onStatement,
          })
        : undefined;
    delivery = createDelivery({
      database: deliveryDatabase ?? database,
      secret: config.secret,
      renderer,
      transport,
      logger,
      observer: {
        ...metrics?.deliveryObserver,
        ...(tracing === undefined ? {} : { aroundAttempt: tracing.aroundDeliveryAttempt }),
      },
    });
    await delivery.start();
  }

  // Used and expired codes, finished limit windows, expired sessions and old finished
  // emails, on an interval (each statement one bounded batch).
  // A run still looping through its batches when the next is due: the next is skipped.
  let cleanupRunning = false;
  const cleanupTimer =
    config.cleanupIntervalSeconds > 0
      ? setInterval(() => {
          if (cleanupRunning) return;
          cleanupRunning = true;
          service
            .cleanup({
              outboxRetentionDays: config.outboxRetentionDays,
              securityEventRetentionDays: config.securityEventRetentionDays,
            })
            .catch((error: unknown) => logger.warn({ err: error }, "scheduled cleanup failed"))
            .finally(() => {
              cleanupRunning = false;
            });
        }, config.cleanupIntervalSeconds * 1000)
      : undefined;
  cleanupTimer?.unref();

  const server = await buildServer({
    config,
    database,
    service,
    mailbox,
    logger,
    ...(metrics === undefined
      ? {}
      : {
          observeRequest: metrics.observeRequest,
          onRateLimited: metrics.rateLimited,
          onRateLimitStoreUnavailable: metrics.rateLimitStoreUnavailable,
        }),
    ...(tracing === undefined ? {} : { tracer: tracing.tracer }),
  });
  let metricsUrl: string | undefined;
  try {
    // Both listeners, or neither: a port already taken stops the start with its error.
    if (metrics !== undefined && config.metricsPort !== undefined) {
      metricsUrl = await metrics.listen(config.metricsPort, config.metricsHost);
    }
    await passwordEstimator;
    await server.listen({ port: config.port, host: config.host });
  } catch (error) {
    clearInterval(cleanupTimer);
    await metrics?.close();
    await tracing?.shutdown();
    await server.close();
    await delivery?.stop();
    await deliveryDatabase?.close();
    await transport.close();
    if (ownsDatabase) await database.close();
    throw error;
  }
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    config,
    url,
    server,
    database,
    service,
    mailbox,
    delivery,
    metricsUrl,
    close() {
      closing ??= (async () => {
        clearInterval(cleanupTimer);
        await server.close(); // stop accepting, wait for in-flight requests
        await delivery?.stop();
        await metrics?.close();
        if (tracing !== undefined) database.observeStatements?.(undefined);
        await tracing?.shutdown();
        await deliveryDatabase?.close();
        await transport.close();
        if (ownsDatabase) await database.close();
      })();
      return closing;
    },
  };
}
