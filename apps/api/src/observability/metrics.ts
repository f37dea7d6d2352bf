/**
 * Prometheus metrics, on a listener of their own (METRICS_PORT), never on the
 * public port. The core and the dispatcher report through plain observer
 * interfaces (`OtpObserver`, `DeliveryObserver`); only this file knows
 * prom-client.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CODE_CHECK_OUTCOMES, type OtpObserver, PASSWORD_CHECK_OUTCOMES } from "@otp/core";
import type { DatabaseHandle } from "@otp/core/db";
import { pendingOutboxSummary } from "@otp/core/repositories";
import { CODE_TYPES } from "@otp/core/rules";
import { type DeliveryObserver, EMAIL_OUTCOMES } from "@otp/delivery";
import { EMAIL_KINDS } from "@otp/email";
import { RATE_LIMIT_GROUPS, type RateLimitGroup } from "@otp/server/internal";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { metricRoutesOf } from "./request-facts.js";

/** The readiness probe's route (its 503 is an answer about the database, not a refused request). */
export const READINESS_ROUTE = "/readyz";

export interface Metrics {
  registry: Registry;
  otpObserver: OtpObserver;
  deliveryObserver: DeliveryObserver;
  /** Records one answered request (called from the access-log hook). */
  observeRequest(request: FastifyRequest, reply: FastifyReply): void;
  /** Counts one request refused by a per-IP budget. */
  rateLimited(group: RateLimitGroup): void;
  /** One request let through because the limit store (Redis) could not be reached. */
  rateLimitStoreUnavailable(group: RateLimitGroup): void;
  /** Starts the metrics listener; resolves to its URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export interface MetricsDependencies {
  /** The database the outbox gauges are read from. */
  database: Pick<DatabaseHandle, "db" | "poolUsage" | "recycles">;
  /** Other pools to report, by name (delivery's own connections). */
  pools?: Record<string, Pick<DatabaseHandle, "poolUsage" | "recycles"> | undefined>;
  logger: Logger;
  clock?: () => Date;
}

export function createMetrics(deps: MetricsDependencies): Metrics {
  const registry = new Registry();
  const clock = deps.clock ?? (() => new Date());
  collectDefaultMetrics({ register: registry });

  const codesIssued = new Counter({
    name: "otp_codes_issued_total",
    help: "Codes issued (and their email queued), by code type.",
    labelNames: ["code_type"] as const,
    registers: [registry],
  });
  const codeChecks = new Counter({
    name: "otp_code_checks_total",
    help: "Code checks by code type and outcome (success, invalid, expired, used, blocked).",
    labelNames: ["code_type", "outcome"] as const,
    registers: [registry],
  });
  const emails = new Counter({
    name: "otp_emails_total",
    help: "Delivery attempts by email kind and outcome (sent, retried, failed, expired, superseded).",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  const passwordChecks = new Counter({
    name: "otp_password_checks_total",
    help: "Password sign-ins by outcome (success, wrong: wrong password or no such account, unverified, blocked: refused by the password budget or the account lock before comparing).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "otp_rate_limited_total",
    help: "Requests (each call of a tRPC batch) refused by a per-IP budget, by limit group (send, guess).",
    labelNames: ["group"] as const,
    registers: [registry],
  });
  const rateLimitStoreUnavailable = new Counter({
    name: "otp_rate_limit_store_unavailable_total",
    help: "Requests let through without a per-IP check because the shared limit store (Redis) could not be reached, by limit group.",
    labelNames: ["group"] as const,
    registers: [registry],
  });
  // Every known series exists from the start at 0, so rate() and alerts see the first event.
  for (const codeType of CODE_TYPES) {
    codesIssued.labels(codeType).inc(0);
    for (const outcome of CODE_CHECK_OUTCOMES) codeChecks.labels(codeType, outcome).inc(0);
  }
  for (const kind of EMAIL_KINDS) {
    for (const outcome of EMAIL_OUTCOMES) emails.labels(kind, outcome).inc(0);
  }
  for (const outcome of PASSWORD_CHECK_OUTCOMES) passwordChecks.labels(outcome).inc(0);
  for (const group of RATE_LIMIT_GROUPS) {
    rateLimited.labels(group).inc(0);
    rateLimitStoreUnavailable.labels(group).inc(0);
  }

  // One read of the outbox per scrape serves both gauges.
  let summary: Promise<{ pending: number; oldestAgeSeconds: number } | null> | null = null;
  const readSummary = () => {
    summary ??= pendingOutboxSummary(deps.database.db, clock())
      .catch((error: unknown) => {
        deps.logger.warn({ err: error }, "metrics: could not read the outbox");
        return null;
      })
      .finally(() => setImmediate(() => (summary = null)));
    return summary;
  };
  const outboxGauge = (
    name: string,
    help: string,
    pick: (read: { pending: number; oldestAgeSeconds: number }) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const read = await readSummary();
        if (read === null) this.reset();
        else this.set(pick(read));
      },
    });
  outboxGauge(
    "otp_outbox_pending",
    "Emails waiting to be delivered (absent when the database cannot be read).",
    (read) => read.pending,
  );
  outboxGauge(
    "otp_outbox_oldest_pending_age_seconds",
    "Seconds since the oldest waiting email was queued; 0 when none waits.",
    (read) => read.oldestAgeSeconds,
  );

  const pools: Record<string, Pick<DatabaseHandle, "poolUsage" | "recycles"> | undefined> = {
    api: deps.database,
    ...deps.pools,
  };
  const poolGauge = (name: string, help: string, pick: (usage: PoolRead) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"] as const,
      registers: [registry],
      collect() {
        for (const [pool, handle] of Object.entries(pools)) {
          const usage = handle?.poolUsage?.();
          if (usage !== undefined) this.labels(pool).set(pick(usage));
        }
      },
    });
  poolGauge("otp_db_pool_size", "Connections the pool may open (PostgreSQL only).", (u) => u.size);
  poolGauge(
    "otp_db_pool_connections_in_use",
    "Pool connections busy with a statement or a transaction (PostgreSQL only).",
    (u) => u.inUse,
  );
  poolGauge(
    "otp_db_pool_waiting",
    "Statements and transactions waiting for a pool connection (PostgreSQL only).",
    (u) => u.waiting,
  );

  new Counter({
    name: "otp_db_pool_recycles_total",
    help: "Times a pool dropped its connections and opened new ones: the server refused writes (a standby since a failover) or was shutting down (PostgreSQL only).",
    labelNames: ["pool"] as const,
    registers: [registry],
    collect() {
      // The pools count; each scrape copies their totals.
      this.reset();
      for (const [pool, handle] of Object.entries(pools)) {
        const recycles = handle?.recycles?.();
        if (recycles !== undefined) this.labels(pool).inc(recycles);
      }
    },
  });
  const databaseUnavailable = new Counter({
    name: "otp_database_unavailable_total",
    help: "Requests answered 503 (with Retry-After) because the database was unreachable, stalled past the deadline, or refused writes during a failover.",
    registers: [registry],
  });
  databaseUnavailable.inc(0);

  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Requests by method, route (the matched route pattern, the tRPC procedure, static for the web app's files, unmatched for anything else) and status.",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  // Each series' child, looked up once: prom-client hashes the label values on every
  // labels() call. The values are bounded (methods, route patterns, procedures, statuses).
  const durations = new Map<string, Histogram.Internal<"method" | "route" | "status_code">>();
  const durationOf = (method: string, route: string, status: string) => {
    const key = `${method} ${route} ${status}`;
    let child = durations.get(key);
    if (child === undefined) {
      child = httpDuration.labels(method, route, status);
      durations.set(key, child);
    }
    return child;
  };

  let server: Server | undefined;
  return {
    registry,
    otpObserver: {
      codeIssued: (codeType) => codesIssued.labels(codeType).inc(),
      codeChecked: (codeType, outcome) => codeChecks.labels(codeType, outcome).inc(),
      passwordChecked: (outcome) => passwordChecks.labels(outcome).inc(),
    },
    deliveryObserver: {
      emailSettled: (kind, outcome) => emails.labels(kind, outcome).inc(),
    },
    observeRequest(request, reply) {
      const seconds = reply.elapsedTime / 1000;
      const status = String(reply.statusCode);
      // A 503 is only ever the database's (the readiness probe's says so too, but is no request).
      if (reply.statusCode === 503 && request.routeOptions.url !== READINESS_ROUTE)
        databaseUnavailable.inc();
      // A tRPC batch counts once per procedure, each with the whole request's duration.
      for (const route of metricRoutesOf(request)) {
        durationOf(request.method, route, status).observe(seconds);
      }
    },
    rateLimited: (group) => rateLimited.labels(group).inc(),
    rateLimitStoreUnavailable: (group) => rateLimitStoreUnavailable.labels(group).inc(),
    async listen(port, host) {
      server = createServer((request, response) => {
        if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
          response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
          return;
        }
        registry.metrics().then(
          (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
          (error: unknown) => {
            deps.logger.error({ err: error }, "metrics: scrape failed");
            response.writeHead(500, { "content-type": "text/plain" }).end("scrape failed\n");
          },
        );
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once("error", reject);
        listening.listen(port, host, () => resolve());
      });
      const address = listening.address() as AddressInfo;
      return `http://${host === "0.0.0.0" ? "localhost" : host}:${address.port}`;
    },
    async close() {
      const open = server;
      server = undefined;
      if (open !== undefined) {
        await new Promise<void>((resolve) => open.close(() => resolve()));
      }
      registry.clear();
    },
  };
}

interface PoolRead {
  size: number;
  inUse: number;
  waiting: number;
}
