/** Tracing with the SDK's in-memory exporter: one verification's spans, and no values in SQL spans. */
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { listOutbox } from "@otp/core/repositories";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { server, startTestApp, type TestApp } from "./harness.js";

describe.skipIf(!server.available)("tracing (PostgreSQL)", () => {
  const exporter = new InMemorySpanExporter();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      "postgres",
      { RATE_LIMIT_ENABLED: "false" },
      { traceExporter: exporter },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it("a verification: request span, procedure span, SQL spans without values", async () => {
    const email = "traced@example.com";
    const password = "a long enough password";
    expect((await t.post("/api/v1/auth/register/", { email, password })).status).toBe(201);
    const code = await t.codeFor(email);
    exporter.reset();
    const verified = await t.post("/api/v1/auth/verify-email/", { email, otp: code });
    expect(verified.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === "POST /api/v1/auth/verify-email/");
    expect(request?.kind).toBe(SpanKind.SERVER);
    expect(request?.attributes["http.response.status_code"]).toBe(200);
    const procedure = spans.find((span) => span.name === "procedure auth.verifyEmail");
    expect(procedure).toBeDefined();
    expect(parentOf(procedure as ReadableSpan)).toBe(request?.spanContext().spanId);
    const statements = spans.filter(
      (span) => span.name === "sql" && parentOf(span) === procedure?.spanContext().spanId,
    );
    expect(statements.length).toBeGreaterThanOrEqual(2); // the lookup and the consume statement
    const traced = JSON.stringify(spans.map((span) => span.attributes));
    for (const secret of [email, code, password]) expect(traced).not.toContain(secret);
    for (const statement of statements) {
      expect(String(statement.attributes["db.query.text"])).toMatch(/\$1/);
    }
  });

  it("each delivery attempt is a span, with its SQL inside", async () => {
    exporter.reset();
    const email = "traced-delivery@example.com";
    await t.post("/api/v1/auth/register/", { email, password: "a long enough password" });
    await t.codeFor(email);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const spans = exporter.getFinishedSpans();
    const attempt = spans.find((span) => span.name === "email delivery");
    expect(attempt?.attributes["otp.email.outcome"]).toBe("sent");
    expect(
      spans.some((span) => span.name === "sql" && parentOf(span) === attempt?.spanContext().spanId),
    ).toBe(true);
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(email);
  });

  it("a registration's delivery span links to the span that queued its email", async () => {
    exporter.reset();
    const email = "traced-link@example.com";
    const password = "a long enough password";
    expect((await t.post("/api/v1/auth/register/", { email, password })).status).toBe(201);
    const code = await t.codeFor(email);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === "POST /api/v1/auth/register/");
    const procedure = spans.find((span) => span.name === "procedure auth.register");
    expect(request).toBeDefined();
    expect(parentOf(procedure as ReadableSpan)).toBe(request?.spanContext().spanId);

    // One email queued, one delivery attempt.
    const deliveries = spans.filter((span) => span.name === "email delivery");
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0] as ReadableSpan;
    // Its row keeps the traceparent of the span active when it was queued: the request's
    // procedure span, in the request's trace.
    const row = (await listOutbox(t.database.db)).find(
      (queued) => queued.id === delivery.attributes["otp.outbox.id"],
    );
    const procedureContext = procedure?.spanContext();
    expect(row?.traceContext).toBe(
      `00-${procedureContext?.traceId}-${procedureContext?.spanId}-01`,
    );
    expect(delivery.attributes["otp.email.outcome"]).toBe("sent");
    // Its own trace (a consumer's), linked to the queuing request's.
    expect(delivery.spanContext().traceId).not.toBe(request?.spanContext().traceId);
    expect(delivery.links).toHaveLength(1);
    expect(delivery.links[0]?.context.traceId).toBe(request?.spanContext().traceId);
    expect(delivery.links[0]?.context.spanId).toBe(procedureContext?.spanId);

    // The queuing statement names the column; its value, like every value, is a parameter.
    const queuing = spans.filter(
      (span) =>
        span.name === "sql" &&
        span.spanContext().traceId === request?.spanContext().traceId &&
        String(span.attributes["db.query.text"]).includes("trace_context"),
    );
    expect(queuing.length).toBeGreaterThanOrEqual(1);
    const traced = JSON.stringify(spans.map((span) => span.attributes));
    for (const secret of [email, code, password, procedureContext?.spanId ?? "?"]) {
      expect(traced).not.toContain(secret);
    }
  });
});
