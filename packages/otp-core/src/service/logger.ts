import { pino } from "pino";

/** The subset of pino's interface the service uses; pass the application's logger. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The service's default logger: pino, JSON lines, errors without statement parameters. */
export function createDefaultLogger(): Logger {
  return pino({ name: "otp-core", serializers: LOG_SERIALIZERS });
}

/** How far down an error's `cause` chain the log follows. */
const MAX_CAUSE_DEPTH = 5;

/** A SQLSTATE (PostgreSQL and PGlite errors carry one as `code`). */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** A database error: what it says may quote a statement's parameters. */
function isDatabaseError(error: Error): boolean {
  const fields = error as { code?: unknown; severity?: unknown };
  return (
    (typeof fields.code === "string" && SQLSTATE.test(fields.code)) ||
    typeof fields.severity === "string"
  );
}

/**
 * What a log may say of an error. A failed statement's parameters (addresses, hashes, tokens,
 * whatever a request sent) never reach a log (issue 23, finding 8):
 * - drizzle's `DrizzleQueryError` says "Failed query: <sql>\nparams: <values>": its message
 *   keeps the statement's text (placeholders only) and drops the values;
 * - a database error's message may quote a value (`invalid input syntax for type uuid: "..."`,
 *   `date/time field value out of range: "..."`): quoted text is replaced, and its `detail`
 *   and `where` (`Key (email)=(...)`) are left out.
 */
export function safeErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === "string" ? error : "non-error thrown";
  if (isDatabaseError(error)) return redactQuoted(error.message);
  const fields = error as { query?: unknown; params?: unknown };
  if (typeof fields.query === "string" && "params" in fields) {
    return `Failed query: ${fields.query}`;
  }
  return error.message;
}

function redactQuoted(text: string): string {
  return text.replace(/"[^"]*"/g, '"[redacted]"').replace(/\([^()]*\)=\([^()]*\)/g, "(…)=(…)");
}

interface SerializedError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SerializedError;
}

/**
 * The `err` serializer of every logger of the product: type, safe message, SQLSTATE or
 * error code, the stack's frames (not its first line, which repeats the message), and the
 * cause, likewise. No other field of the error is copied (pino's default copies them all,
 * and drizzle's `params` with them).
 */
export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .join("\n");
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    message: safeErrorMessage(error),
    ...(typeof code === "string" || typeof code === "number" ? { code: String(code) } : {}),
    ...(frames === "" ? {} : { stack: frames }),
    ...(cause instanceof Error && depth < MAX_CAUSE_DEPTH
      ? { cause: serializeError(cause, depth + 1) as SerializedError }
      : {}),
  };
}

/** pino `serializers` that keep statements' parameters out of logs. */
export const LOG_SERIALIZERS = { err: (error: unknown) => serializeError(error) };
