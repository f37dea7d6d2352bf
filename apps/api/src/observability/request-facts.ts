/**
 * What a request is counted and logged as, declared once for the access log,
 * the request-duration metric and the request span: a bounded set of route
 * values (never the path, which can carry anything), the procedures it ran and
 * the error codes it answered.
 */

import { OPERATION_LIST, TRPC_PREFIX, transportCodeOf } from "@otp/server/internal";
import type { FastifyRequest } from "fastify";

/** The route of a request no route matched (and of an unknown tRPC procedure): one value, whatever the path. */
export const UNMATCHED_ROUTE = "unmatched";
/** The route of every file of the web app (hashed assets, index.html, a page route's fallback). */
export const STATIC_ROUTE = "static";
/** The route pattern the tRPC plugin registers; its requests are counted by procedure instead. */
export const TRPC_ROUTE = `${TRPC_PREFIX}/:path`;

const PROCEDURES: ReadonlySet<string> = new Set(OPERATION_LIST.map((entry) => entry.procedure));

declare module "fastify" {
  interface FastifyContextConfig {
    /** The tRPC procedure a REST route runs (its access line names it). */
    procedure?: string;
    /** A file of the web app: counted and logged as STATIC_ROUTE. */
    webFile?: boolean;
  }
}

interface Facts {
  route?: string;
  errorCodes: string[];
}
const facts = new WeakMap<FastifyRequest, Facts>();

function factsOf(request: FastifyRequest): Facts {
  let found = facts.get(request);
  if (found === undefined) {
    found = { errorCodes: [] };
    facts.set(request, found);
  }
  return found;
}

/** The request answered with this API error code (REST's envelope, each failed call of a tRPC batch). */
export function noteErrorCode(request: FastifyRequest, code: string): void {
  factsOf(request).errorCodes.push(code);
}

/** The request was answered by the web app's page fallback (no route matched, a file was sent). */
export function noteWebFile(request: FastifyRequest): void {
  factsOf(request).route = STATIC_ROUTE;
}

/**
 * The tRPC procedures a request names, one per call of a batch; a name the
 * router does not have counts as UNMATCHED_ROUTE.
 */
export function proceduresOf(request: FastifyRequest): string[] | undefined {
  const config = request.routeOptions.config;
  if (config?.procedure !== undefined) return [config.procedure];
  if (request.routeOptions.url !== TRPC_ROUTE) return undefined;
  const path = (request.params as { path?: unknown } | undefined)?.path;
  if (typeof path !== "string" || path === "") return [UNMATCHED_ROUTE];
  return path.split(",").map((name) => (PROCEDURES.has(name) ? name : UNMATCHED_ROUTE));
}

/**
 * The route a request is logged and traced as: its matched route pattern,
 * STATIC_ROUTE for the web app's files, UNMATCHED_ROUTE for anything else.
 */
export function routeOf(request: FastifyRequest): string {
  const noted = facts.get(request)?.route;
  if (noted !== undefined) return noted;
  if (request.routeOptions.config?.webFile === true) return STATIC_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * The `route` values a request is counted under in metrics: a tRPC request
 * once per procedure of its batch (by name), any other once by routeOf.
 */
export function metricRoutesOf(request: FastifyRequest): string[] {
  if (request.routeOptions.url === TRPC_ROUTE) return proceduresOf(request) ?? [UNMATCHED_ROUTE];
  return [routeOf(request)];
}

/**
 * The API error codes a request answered, in order; for a 4xx or 5xx with none
 * noted (a framework's own answer), the code of its status.
 */
export function errorCodesOf(request: FastifyRequest, statusCode: number): string[] {
  const noted = facts.get(request)?.errorCodes ?? [];
  if (noted.length > 0 || statusCode < 400) return noted;
  const byStatus = transportCodeOf(statusCode);
  return [byStatus ?? (statusCode >= 500 ? "INTERNAL_ERROR" : `HTTP_${statusCode}`)];
}
