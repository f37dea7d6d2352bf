/** The SDK as the processes start it, exporting to the SDK's in-memory exporter. */
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startTracing } from "../src/index.js";

describe("startTracing", () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ exporter, serviceName: "otp-test", tracerName: "otp-test" });
  afterAll(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  const email = (traceContext: string | null) => ({
    id: "0b8f1f7e-59b5-4b8e-9a0e-2f1c3d4e5f60",
    kind: "VERIFICATION_CODE",
    attempts: 2,
    traceContext,
  });

  it("a delivery attempt is a consumer span linked to the queuing request, its SQL inside", async () => {
    const queued = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
    const outcome = await tracing.aroundDeliveryAttempt(
      email(`00-${queued.traceId}-${queued.spanId}-01`),
      async () => {
        tracing.onStatement("UPDATE email_outbox SET status = $1 WHERE id = $2")();
        return "sent";
      },
    );
    expect(outcome).toBe("sent");
    const spans = exporter.getFinishedSpans();
    const attempt = spans.find((span) => span.name === "email delivery");
    expect(attempt?.kind).toBe(SpanKind.CONSUMER);
    expect(attempt?.resource.attributes["service.name"]).toBe("otp-test");
    expect(attempt?.instrumentationScope.name).toBe("otp-test");
    expect(attempt?.attributes).toMatchObject({
      "otp.email.kind": "VERIFICATION_CODE",
      "otp.email.attempt": 2,
      "otp.email.outcome": "sent",
    });
    expect(attempt?.links.map((link) => link.context)).toMatchObject([queued]);
    const statement = spans.find((span) => span.name === "sql");
    expect(statement?.parentSpanContext?.spanId).toBe(attempt?.spanContext().spanId);
    expect(statement?.attributes["db.query.text"]).toBe(
      "UPDATE email_outbox SET status = $1 WHERE id = $2",
    );
  });

  it("no link without a trace context, or with one that is not a traceparent", async () => {
    for (const traceContext of [null, "not-a-traceparent", "00-0-0-01"]) {
      await tracing.aroundDeliveryAttempt(email(traceContext), async () => "sent");
    }
    const attempts = exporter.getFinishedSpans();
    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) expect(attempt.links).toEqual([]);
  });

  it("an attempt that throws still ends its span; a failed statement records its SQLSTATE only", async () => {
    await expect(
      tracing.aroundDeliveryAttempt(email(null), async () => {
        throw new Error("smtp down");
      }),
    ).rejects.toThrow("smtp down");
    const done = tracing.onStatement("SELECT 1");
    done(
      Object.assign(new Error("duplicate key value (email)=(a@example.com)"), { code: "23505" }),
    );
    const [attempt, statement] = exporter.getFinishedSpans();
    expect(attempt?.name).toBe("email delivery");
    expect(statement?.status).toEqual({ code: SpanStatusCode.ERROR, message: "23505" });
    expect(JSON.stringify(statement?.status)).not.toContain("a@example.com");
  });

  it("registers the tracer globally, so the request hooks' spans are exported too", () => {
    trace.getTracer("otp-test").startSpan("request").end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["request"]);
  });
});
