import { context, propagation } from "@opentelemetry/api";

/** The header the outbox keeps of the queuing request's trace (`email_outbox.trace_context`). */
const TRACEPARENT = "traceparent";

/**
 * The active span's context as a W3C `traceparent`, written into the outbox
 * row an email is queued in, so its delivery attempt can link back to the
 * request that queued it. Uses the OpenTelemetry API alone: without an SDK
 * (tracing off) its propagator is a no-op and this is null, as it is when no
 * span is active.
 */
export function currentTraceContext(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier[TRACEPARENT] ?? null;
}
