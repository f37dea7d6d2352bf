import { ProxyTracerProvider, type Tracer, trace } from "@opentelemetry/api";
import { TRACER_NAME } from "./tracer-name.js";

/**
 * The API's tracer when a tracer provider is registered (an SDK, the API's own
 * or the host's); undefined when tracing is off, so a request pays for no span
 * object, context or closure then. Asked per call: a host may register its SDK
 * after the edge is built.
 */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  // With no provider registered, the API answers with its own proxy, which has no delegate.
  if (provider instanceof ProxyTracerProvider) return provider.getDelegateTracer(TRACER_NAME);
  return provider.getTracer(TRACER_NAME);
}

/**
 * Runs one procedure (tRPC, or its REST route) in a span of its own when
 * tracing is on (`run` alone otherwise), child of the request's and parent of
 * its SQL statements. The span names the failure's error code, never the input.
 */
export function inProcedureSpan<R>(
  procedure: string,
  run: () => Promise<R>,
  errorCodeOf: (result: R) => string | undefined,
): Promise<R> {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  return tracer.startActiveSpan(
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
