/**
 * OpenTelemetry tracing for the processes that serve and deliver (the API, and
 * the dispatcher run as its own process), off unless
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes an exporter): the SDK,
 * a span per SQL statement (its text, whose values are always parameters and
 * never in it) and per delivery attempt, linked to the request that queued the
 * email, exported over OTLP/HTTP. This package loads the SDK and is imported
 * (dynamically) only when tracing is on; the API's request and procedure hooks
 * use the OpenTelemetry API alone, a no-op when no SDK is registered.
 */
import {
  type Link,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import type { StatementHook } from "@otp/core/db";
import type { AttemptedEmail } from "@otp/core/repositories";

export interface Tracing {
  tracer: Tracer;
  /** A span per SQL statement, child of whatever span is active when it is sent. */
  onStatement: StatementHook;
  /**
   * The dispatcher's `aroundAttempt` (DeliveryObserver): one email's attempt as
   * a span, linked to the span that queued it (its row's traceparent).
   */
  aroundDeliveryAttempt<T>(email: AttemptedEmail, attempt: () => Promise<T>): Promise<T>;
  /** Ends the SDK, exporting the spans still buffered. */
  shutdown(): Promise<void>;
}

export function startTracing(options: {
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); traces go to `${endpoint}/v1/traces`. */
  endpoint?: string | undefined;
  /** Instead of OTLP (tests: the SDK's InMemorySpanExporter), exported span by span. */
  exporter?: SpanExporter | undefined;
  /** The resource's service.name (the API: APP_NAME; the dispatcher process: otp-delivery). */
  serviceName: string;
  /** The instrumentation scope of every span made here. */
  tracerName: string;
}): Tracing {
  const processor =
    options.exporter === undefined
      ? new BatchSpanProcessor(
          new OTLPTraceExporter({ url: `${options.endpoint?.replace(/\/+$/, "")}/v1/traces` }),
        )
      : new SimpleSpanProcessor(options.exporter);
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: [processor],
    instrumentations: [],
    // Only what is configured here: no metrics or logs pipelines, no resource detectors reading env.
    resourceDetectors: [],
    // W3C trace context, whatever OTEL_PROPAGATORS says: the core writes the queuing request's
    // `traceparent` into its outbox row with this propagator, and delivery links back to it.
    textMapPropagator: new W3CTraceContextPropagator(),
  });
  sdk.start();
  const tracer = trace.getTracer(options.tracerName);
  return {
    tracer,
    onStatement: (text) => {
      const span = tracer.startSpan("sql", {
        kind: SpanKind.CLIENT,
        attributes: { "db.system.name": "postgresql", "db.query.text": text },
      });
      return (error) => {
        if (error !== undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode(error) });
        }
        span.end();
      };
    },
    aroundDeliveryAttempt: (email, attempt) =>
      tracer.startActiveSpan(
        "email delivery",
        {
          kind: SpanKind.CONSUMER,
          links: linkToQueuingRequest(email.traceContext),
          attributes: {
            "otp.outbox.id": email.id,
            "otp.email.kind": email.kind,
            "otp.email.attempt": email.attempts,
          },
        },
        async (span) => {
          try {
            const outcome = await attempt();
            span.setAttribute("otp.email.outcome", String(outcome));
            return outcome;
          } finally {
            span.end();
          }
        },
      ),
    shutdown: () => sdk.shutdown(),
  };
}

/** The delivery span's link to the span that queued the email (its row's traceparent), if any. */
function linkToQueuingRequest(traceContext: string | null): Link[] {
  if (traceContext === null) return [];
  const queued = trace.getSpanContext(
    propagation.extract(ROOT_CONTEXT, { traceparent: traceContext }),
  );
  return queued === undefined ? [] : [{ context: queued }];
}

/** A driver error's SQLSTATE or name: never its message, which can quote a value. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error instanceof Error ? error.name : "error";
}
