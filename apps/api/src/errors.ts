import {
  type DomainError,
  ERROR_MESSAGES,
  type ErrorCode,
  fieldErrorsOf,
  type Result,
  type SendLimitReason,
} from "@otp/core";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

/** Failures of the transport itself, beside the service's domain codes. */
const TRANSPORT_MESSAGES = {
  INVALID_JSON: "The request body is not valid JSON.",
  UNSUPPORTED_MEDIA_TYPE: "Send the request body as application/json.",
  PAYLOAD_TOO_LARGE: "The request body is too large.",
  RATE_LIMITED: "Too many requests from your network. Wait a while, then try again.",
  NOT_FOUND: "There is nothing at this address.",
  METHOD_NOT_ALLOWED: "This address does not accept that method.",
  SERVICE_UNAVAILABLE: "The service is temporarily unavailable. Try again in a moment.",
  INTERNAL_ERROR: "Something went wrong on our side. Try again in a moment.",
} as const;

export type ApiErrorCode = ErrorCode | keyof typeof TRANSPORT_MESSAGES;

/**
 * THE mapping: every error code the API can answer, to its tRPC code and HTTP
 * status. The compiler checks it covers every domain code. Clients switch on
 * the code, never on the message.
 */
export const API_ERRORS: Record<ApiErrorCode, { trpc: TRPC_ERROR_CODE_KEY; status: number }> = {
  INVALID_INPUT: { trpc: "BAD_REQUEST", status: 400 },
  OTP_INVALID: { trpc: "BAD_REQUEST", status: 400 },
  OTP_EXPIRED: { trpc: "BAD_REQUEST", status: 400 },
  OTP_ALREADY_USED: { trpc: "BAD_REQUEST", status: 400 },
  OTP_REPLACED: { trpc: "BAD_REQUEST", status: 400 },
  TOO_MANY_ATTEMPTS: { trpc: "TOO_MANY_REQUESTS", status: 429 },
  SEND_LIMIT_REACHED: { trpc: "TOO_MANY_REQUESTS", status: 429 },
  USER_NOT_FOUND: { trpc: "NOT_FOUND", status: 404 },
  INVALID_CREDENTIALS: { trpc: "UNAUTHORIZED", status: 401 },
  EMAIL_NOT_VERIFIED: { trpc: "FORBIDDEN", status: 403 },
  UNAUTHORIZED: { trpc: "UNAUTHORIZED", status: 401 },
  EMAIL_TAKEN: { trpc: "CONFLICT", status: 409 },
  INVALID_JSON: { trpc: "PARSE_ERROR", status: 400 },
  UNSUPPORTED_MEDIA_TYPE: { trpc: "UNSUPPORTED_MEDIA_TYPE", status: 415 },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", status: 413 },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", status: 429 },
  NOT_FOUND: { trpc: "NOT_FOUND", status: 404 },
  METHOD_NOT_ALLOWED: { trpc: "METHOD_NOT_SUPPORTED", status: 405 },
  SERVICE_UNAVAILABLE: { trpc: "SERVICE_UNAVAILABLE", status: 503 },
  INTERNAL_ERROR: { trpc: "INTERNAL_SERVER_ERROR", status: 500 },
};

export const API_ERROR_MESSAGES: Record<ApiErrorCode, string> = {
  ...ERROR_MESSAGES,
  ...TRANSPORT_MESSAGES,
};

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

/** Carries a domain error through tRPC as the TRPCError's cause. */
export class DomainFailure extends Error {
  constructor(readonly domain: DomainError) {
    super(domain.message);
    this.name = "DomainFailure";
  }
}

export function domainFailure(error: DomainError): TRPCError {
  return new TRPCError({
    code: API_ERRORS[error.code].trpc,
    message: error.message,
    cause: new DomainFailure(error),
  });
}

export function apiError(code: ApiErrorCode, cause?: unknown): TRPCError {
  return new TRPCError({ code: API_ERRORS[code].trpc, message: API_ERROR_MESSAGES[code], cause });
}

/** The value of a successful result; an expected failure becomes a TRPCError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw domainFailure(result.error);
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
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
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
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
    if (
      /PGlite is closed|Connection terminated|write after end|socket hang up/i.test(current.message)
    )
      return true;
    // postgres.js 3.4.9 can throw a TypeError from its connection code when a socket
    // drops mid-write (an upstream bug): that too is the connection, not the request.
    if (/[\\/]postgres[\\/]src[\\/]connection\.js/.test(current.stack ?? "")) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The wire form of any error a procedure or route can throw. Never leaks internals. */
export function describeError(error: unknown): WireError {
  if (error instanceof TRPCError) {
    if (error.cause instanceof DomainFailure) return fromDomain(error.cause.domain);
    if (error.cause instanceof ZodError) {
      return {
        code: "INVALID_INPUT",
        message: API_ERROR_MESSAGES.INVALID_INPUT,
        fieldErrors: fieldErrorsOf(error.cause),
      };
    }
    const byTrpc = (Object.keys(API_ERRORS) as ApiErrorCode[]).find(
      (code) => API_ERRORS[code].trpc === error.code && !(code in ERROR_MESSAGES),
    );
    // tRPC parses the body itself; a JSON syntax error arrives as its cause.
    if (error.code === "PARSE_ERROR" || error.cause instanceof SyntaxError) {
      return { code: "INVALID_JSON", message: API_ERROR_MESSAGES.INVALID_JSON };
    }
    if (error.code === "BAD_REQUEST") {
      return { code: "INVALID_INPUT", message: error.message || API_ERROR_MESSAGES.INVALID_INPUT };
    }
    if (byTrpc !== undefined && byTrpc !== "INTERNAL_ERROR") {
      return { code: byTrpc, message: API_ERROR_MESSAGES[byTrpc] };
    }
  }
  if (isDatabaseUnavailable(error)) {
    return { code: "SERVICE_UNAVAILABLE", message: API_ERROR_MESSAGES.SERVICE_UNAVAILABLE };
  }
  return { code: "INTERNAL_ERROR", message: API_ERROR_MESSAGES.INTERNAL_ERROR };
}

function fromDomain(error: DomainError): WireError {
  const wire: WireError = { code: error.code, message: error.message };
  if (error.fieldErrors !== undefined) wire.fieldErrors = error.fieldErrors;
  if (error.attemptsLeft !== undefined) wire.attemptsLeft = error.attemptsLeft;
  if (error.retryAt !== undefined) wire.retryAt = error.retryAt.toISOString();
  if (error.reason !== undefined) wire.reason = error.reason;
  return wire;
}

export function statusOf(wire: WireError): number {
  return API_ERRORS[wire.code].status;
}
