/** Logs: one access line per request, JSON by default, readable lines on request. */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFormattedLogger, resolveLogFormat } from "../src/observability/access-log.js";
import { startTestApp, type TestApp } from "./harness.js";

describe("access log", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("writes one line per request with route, status, duration and request id", async () => {
    const before = t.logs.length;
    const answer = await t.post("/api/v1/auth/resend-otp/", { email: "nobody@example.com" });
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get("x-request-id");
    const missing = await fetch(`${t.url}/api/v1/no-such-path?email=secret@example.com`);
    expect(missing.status).toBe(404);
    const batch = await fetch(`${t.url}/trpc/auth.rules,auth.me,auth.nope?batch=1&input={}`);
    expect(batch.status).toBe(207);
    const refused = await t.post("/api/v1/auth/verify-email/", { email: "x@example.com" });
    expect(refused.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = t.logs
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      // The access lines (the service's own lines, such as "code requested: ...", are not).
      .filter(
        (line) =>
          line.msg === "request" || /^(incoming )?request( completed)?$/.test(String(line.msg)),
      );
    expect(lines.map((line) => line.msg)).toEqual(["request", "request", "request", "request"]);
    expect(lines[0]).toMatchObject({
      reqId: requestId,
      method: "POST",
      route: "/api/v1/auth/resend-otp/",
      procedure: "auth.resendCode",
      statusCode: 200,
    });
    expect(lines[0]).not.toHaveProperty("errorCode");
    expect(typeof lines[0]?.durationMs).toBe("number");
    // An unknown path is not echoed (it may carry anything): the same word as the metrics.
    expect(lines[1]).toMatchObject({
      method: "GET",
      route: "unmatched",
      statusCode: 404,
      errorCode: "NOT_FOUND",
    });
    // tRPC: each call of the batch by name (an unknown one as unmatched), each failure's code
    // (in the order the calls ended).
    expect(lines[2]).toMatchObject({
      method: "GET",
      route: "/trpc/:path",
      procedure: "auth.rules,auth.me,unmatched",
      statusCode: 207,
    });
    expect(String(lines[2]?.errorCode).split(",").sort()).toEqual(["NOT_FOUND", "UNAUTHORIZED"]);
    expect(lines[3]).toMatchObject({
      route: "/api/v1/auth/verify-email/",
      procedure: "auth.verifyEmail",
      statusCode: 400,
      errorCode: "INVALID_INPUT",
    });
    expect(JSON.stringify(lines)).not.toContain("secret@example.com");
  });
});

describe("log format", () => {
  it("is JSON in production and off a terminal, pretty in development on one, or as asked", () => {
    expect(resolveLogFormat(undefined, "production", true)).toBe("json");
    expect(resolveLogFormat(undefined, "development", false)).toBe("json");
    expect(resolveLogFormat(undefined, "development", true)).toBe("pretty");
    expect(resolveLogFormat("pretty", "production", false)).toBe("pretty");
    expect(resolveLogFormat("json", "development", true)).toBe("json");
  });

  it("pretty lines are readable text, and redaction still applies", async () => {
    let written = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    });
    const logger = createFormattedLogger(
      { redact: { paths: ["code"], censor: "[redacted]" } },
      "pretty",
      sink,
    );
    logger.info({ code: "12345678", route: "/x" }, "request");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toContain("INFO");
    expect(written).toContain("request");
    expect(written).not.toContain("12345678");
    expect(() => JSON.parse(written)).toThrow();
  });
});
