import { trace } from "@opentelemetry/api";
import { TRACER_NAME } from "./tracer-name.js";

/**
 * Runs one procedure (tRPC, or its REST route) in a span of its own (a no-op
 * unless tracing is on), child of the request's and parent of its SQL
 * statements. The span names the failure's error code, never the input.
 */
export function inProcedureSpan<R>(
  procedure: string,
  run: () => Promise<R>,
  errorCodeOf: (result: R) => string | undefined,
): Promise<R> {
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(
      `procedure ${procedure}`,
      { attributes: { "rpc.system.name": "trpc", "rpc.method": procedure } },
      async (span) => {
        try {
          const result = await run();
          const code = errorCodeOf(result);
          if (code !== undefined) span.setAttribute("otp.error.code", code);
          return result;
        } finally {
          span.end();
        }
      },
    );
}
