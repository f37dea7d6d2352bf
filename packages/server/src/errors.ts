import {
  type DomainError,
  ERROR_MESSAGES,
  type ErrorCode,
  type Result,
  type SendLimitReason,
} from "@otp/core";
import { RECYCLING_ERROR_CODES } from "@otp/core/db";
import { fieldErrorsOf } from "@otp/core/internal";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { BaseLogger } from "pino";
import { ZodError } from "zod";

/** What the edge logs with: any pino logger (Fastify's request logger included). */
export type EdgeLogger = Pick<BaseLogger, "error" | "warn" | "info" | "debug">;

/** Failures of the transport itself, beside the service's domain codes. */
const TRANSPORT_MESSAGES = {
  INVALID_JSON: "The request body is not valid JSON.",
  UNSUPPORTED_MEDIA_TYPE: "Send the request body as application/json.",
  PAYLOAD_TOO_LARGE: "The request body is too large.",
  RATE_LIMITED: "Too many requests from your network. Wait a while, then try again.",
  // Also a domain code (a session not on this account): the domain's answer keeps its own message.
  NOT_FOUND: "There is nothing at this address.",
  METHOD_NOT_ALLOWED: "This address does not accept that method.",
  SERVICE_UNAVAILABLE: "The service is temporarily unavailable. Try again in a moment.",
  INTERNAL_ERROR: "Something went wrong on our side. Try again in a moment.",
} as const;

export type ApiErrorCode = ErrorCode | keyof typeof TRANSPORT_MESSAGES;

/**
 * THE mapping: every error code the API can answer, to its tRPC code. The HTTP
 * status and the JSON-RPC number come from tRPC's own tables (so REST and tRPC
 * answer the same status, and nothing here restates them). The compiler checks
 * it covers every domain code. Clients switch on the code, never on the message.
 */
export const API_ERRORS: Record<ApiErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID_INPUT: "BAD_REQUEST",
  OTP_INVALID: "BAD_REQUEST",
  OTP_EXPIRED: "BAD_REQUEST",
  OTP_ALREADY_USED: "BAD_REQUEST",
  OTP_REPLACED: "BAD_REQUEST",
  TOO_MANY_ATTEMPTS: "TOO_MANY_REQUESTS",
  SEND_LIMIT_REACHED: "TOO_MANY_REQUESTS",
  USER_NOT_FOUND: "NOT_FOUND",
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  EMAIL_NOT_VERIFIED: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  EMAIL_TAKEN: "CONFLICT",
  ACCOUNT_LOCKED: "FORBIDDEN",
  REAUTHENTICATION_REQUIRED: "FORBIDDEN",
  TOKEN_INVALID: "BAD_REQUEST",
  LINK_INVALID: "BAD_REQUEST",
  INVALID_JSON: "PARSE_ERROR",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_ERROR: "INTERNAL_SERVER_ERROR",
};

export const API_ERROR_MESSAGES: Record<ApiErrorCode, string> = {
  ...ERROR_MESSAGES,
  ...TRANSPORT_MESSAGES,
};

export const API_ERROR_CODES = Object.keys(API_ERRORS) as ApiErrorCode[];

const HTTP_STATUS = Object.fromEntries(
  API_ERROR_CODES.map((code) => [
    code,
    getHTTPStatusCodeFromError(new TRPCError({ code: API_ERRORS[code] })),
  ]),
) as Record<ApiErrorCode, number>;

/** The HTTP status of an error code, on both surfaces (tRPC's table). */
export function httpStatusOf(code: ApiErrorCode): number {
  return HTTP_STATUS[code];
}

/** The transport's own code for a framework's HTTP status (400 is INVALID_JSON: a body it could not read). */
export function transportCodeOf(status: number): ApiErrorCode | undefined {
  return API_ERROR_CODES.find((code) => code in TRANSPORT_MESSAGES && HTTP_STATUS[code] === status);
}

/** The JSON-RPC error number tRPC's envelope carries for an error code (tRPC's table). */
export function jsonRpcCodeOf(code: ApiErrorCode): number {
  return TRPC_ERROR_CODES_BY_KEY[API_ERRORS[code]];
}

/** The error body both transports send: REST as `{ error }`, tRPC inside `error.data`. */
export interface WireError {
  code: ApiErrorCode;
  message: string;
  fieldErrors?: Record<string, string[]>;
  attemptsLeft?: number;
  /** ISO 8601. */
  retryAt?: string;
  /** SEND_LIMIT_REACHED: COOLDOWN (between two sends) or HOURLY_CAP. */
  reason?: SendLimitReason;
}

export function wireError(code: ApiErrorCode, details: Omit<WireError, "code" | "message"> = {}) {
  return { code, message: API_ERROR_MESSAGES[code], ...details } satisfies WireError;
}

/** Carries an answer's error through tRPC as the TRPCError's cause. */
export class ApiFailure extends Error {
  constructor(
    readonly wire: WireError,
    options?: { cause?: unknown },
  ) {
    super(wire.message, options);
    this.name = "ApiFailure";
  }
}

export function wireOfDomain(error: DomainError): WireError {
  const wire: WireError = { code: error.code, message: error.message };
  if (error.fieldErrors !== undefined) wire.fieldErrors = error.fieldErrors;
  if (error.attemptsLeft !== undefined) wire.attemptsLeft = error.attemptsLeft;
  if (error.retryAt !== undefined) wire.retryAt = error.retryAt.toISOString();
  if (error.reason !== undefined) wire.reason = error.reason;
  return wire;
}

export function trpcFailure(wire: WireError, cause?: unknown): TRPCError {
  return new TRPCError({
    code: API_ERRORS[wire.code],
    message: wire.message,
    cause: new ApiFailure(wire, { cause }),
  });
}

export function apiError(code: ApiErrorCode, cause?: unknown): TRPCError {
  return trpcFailure(wireError(code), cause);
}

/** The value of a successful result; for tRPC, an expected failure becomes a TRPCError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw trpcFailure(wireOfDomain(result.error));
}

/**
 * How long a request may wait on its dependencies before the client is told
 * to retry. The deadline only has to beat a stalled database (a partition, a
 * pool waiting for a server that refuses): normal calls take milliseconds.
 */
export const PROCEDURE_DEADLINE_MS = 1500;

/**
 * Retry-After of every 503 (the database unreachable, stalled, or failing over): a pool
 * reconnects within about a second of the server answering again, and a switchover of
 * pg_auto_failover takes a few.
 */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export class DeadlineExceeded extends Error {
  constructor() {
    super(`no answer within ${PROCEDURE_DEADLINE_MS} ms`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * A lost or stalled database becomes a prompt 503 the client may retry, not
 * an opaque 500 or a request that hangs. (A statement that was already sent
 * still finishes or rolls back on its own: nothing is left half-done.)
 */
export async function withinDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), PROCEDURE_DEADLINE_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  // 25006 read_only_sql_transaction (a standby since a switchover), 57P01 admin_shutdown,
  // 57P02 crash_shutdown, 57P03 cannot_connect_now: the pool drops its connections on these.
  ...RECYCLING_ERROR_CODES,
  "53300", // too_many_connections
  "08000",
  "08003",
  "08006",
  "08001",
  "08004",
]);

/** True for errors that mean "the database cannot be reached right now" (worth a 503 and a retry). */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof DeadlineExceeded) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
    if (
      /PGlite is closed|Connection terminated|write after end|socket hang up/i.test(current.message)
    )
      return true;
    // postgres.js 3.4.9 can throw a TypeError from its connection code when a socket
    // drops mid-write (an upstream bug): that too is the connection, not the request.
    // (Only a TypeError: every error of a statement the server refused passes through that file.)
    if (
      current instanceof TypeError &&
      /[\\/]postgres[\\/]src[\\/]connection\.js/.test(current.stack ?? "")
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The wire form of any error a procedure or route can throw. Never leaks internals. */
export function describeError(error: unknown): WireError {
  if (error instanceof TRPCError) {
    if (error.cause instanceof ApiFailure) return error.cause.wire;
    if (error.cause instanceof ZodError) {
      return wireError("INVALID_INPUT", { fieldErrors: fieldErrorsOf(error.cause) });
    }
    // tRPC parses the body itself; a JSON syntax error arrives as its cause.
    if (error.code === "PARSE_ERROR" || error.cause instanceof SyntaxError) {
      return wireError("INVALID_JSON");
    }
    if (error.code === "BAD_REQUEST") {
      return { code: "INVALID_INPUT", message: error.message || API_ERROR_MESSAGES.INVALID_INPUT };
    }
    const byTrpc = API_ERROR_CODES.find(
      (code) => API_ERRORS[code] === error.code && code in TRANSPORT_MESSAGES,
    );
    if (byTrpc !== undefined && byTrpc !== "INTERNAL_ERROR") return wireError(byTrpc);
  }
  if (isDatabaseUnavailable(error)) return wireError("SERVICE_UNAVAILABLE");
  return wireError("INTERNAL_ERROR");
}
