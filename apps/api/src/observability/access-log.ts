import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type DestinationStream, type LoggerOptions, pino } from "pino";
import pretty from "pino-pretty";
import { errorCodesOf, proceduresOf, routeOf } from "./request-facts.js";

export type LogFormat = "json" | "pretty";

/**
 * JSON unless asked otherwise: LOG_FORMAT wins; without it, readable lines
 * only in development on a terminal. Production stays JSON whatever the terminal.
 */
export function resolveLogFormat(
  requested: LogFormat | undefined,
  env: string,
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): LogFormat {
  if (requested !== undefined) return requested;
  return env !== "production" && stdoutIsTerminal ? "pretty" : "json";
}

/**
 * A pino logger writing JSON lines, or through pino-pretty (in process, no
 * worker thread), to stdout or `destination`.
 */
export function createFormattedLogger(
  options: LoggerOptions,
  format: LogFormat,
  destination?: NodeJS.WritableStream,
) {
  if (format === "json") {
    return destination === undefined ? pino(options) : pino(options, destination);
  }
  const stream: DestinationStream = pretty({
    ...(destination === undefined ? {} : { destination }),
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    singleLine: true,
  });
  return pino(options, stream);
}

/**
 * One line per request, once it is answered, instead of Fastify's two
 * ("incoming request", "request completed"): method, route (the matched
 * pattern, `static` for the web app's files, `unmatched` for anything else:
 * never the path, which can carry anything, and the same words as the
 * metrics), the procedure (REST or tRPC; a batch's names joined by commas),
 * status, the error code of a 4xx or 5xx (each failed call of a batch),
 * duration and the request id (bound to `request.log`). Fastify's own request
 * lines are off (`logController` in http/server.ts).
 * `observeRequest` (the request-duration metric) runs in the same hook.
 */
export function registerAccessLog(
  app: FastifyInstance,
  observeRequest?: (request: FastifyRequest, reply: FastifyReply) => void,
): void {
  app.addHook("onResponse", (request, reply, done) => {
    observeRequest?.(request, reply);
    // One object per line, its fields in this order; no spread of temporaries.
    const line: AccessLine = { method: request.method, route: routeOf(request) };
    const procedures = proceduresOf(request);
    if (procedures !== undefined) line.procedure = procedures.join(",");
    line.statusCode = reply.statusCode;
    const errorCodes = errorCodesOf(request, reply.statusCode);
    if (errorCodes.length > 0) line.errorCode = errorCodes.join(",");
    line.durationMs = Math.round(reply.elapsedTime * 100) / 100;
    request.log.info(line, "request");
    done();
  });
}

interface AccessLine {
  method: string;
  route: string;
  procedure?: string;
  statusCode?: number;
  errorCode?: string;
  durationMs?: number;
}
