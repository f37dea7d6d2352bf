/**
 * Headers on every API answer (issue 23, finding 10): `Cache-Control: no-store`
 * (no browser or shared cache keeps an account's answers), and a CSP with
 * `base-uri 'none'`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.js";

describe("response headers", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  const requests: Array<[string, () => Promise<Response>]> = [
    ["REST 200", () => t.post("/api/v1/auth/resend-otp/", { email: "a@example.com" })],
    ["REST 400", () => t.post("/api/v1/auth/resend-otp/", { email: "not an email" })],
    ["REST 401", () => fetch(`${t.url}/api/v1/auth/me/`)],
    [
      "REST 415",
      () =>
        t.post("/api/v1/auth/resend-otp/", "x", {
          raw: true,
          headers: { "content-type": "text/plain" },
        }),
    ],
    ["REST 404", () => fetch(`${t.url}/api/v1/nothing-here/`)],
    ["tRPC query", () => fetch(`${t.url}/trpc/auth.rules`)],
    ["tRPC mutation", () => t.post("/trpc/auth.resendCode", { email: "a@example.com" })],
    ["tRPC error", () => fetch(`${t.url}/trpc/auth.me`)],
    ["tRPC batch", () => fetch(`${t.url}/trpc/auth.rules,auth.me?batch=1&input={}`)],
    ["health", () => fetch(`${t.url}/healthz`)],
    ["readiness", () => fetch(`${t.url}/readyz`)],
    ["OpenAPI document", () => fetch(`${t.url}/api/v1/openapi.json`)],
  ];

  it.each(requests)("%s: Cache-Control: no-store", async (_name, send) => {
    const response = await send();
    await response.arrayBuffer();
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("the CSP forbids <base> (base-uri 'none')", async () => {
    for (const path of ["/healthz", "/api/docs"]) {
      const response = await fetch(`${t.url}${path}`);
      await response.arrayBuffer();
      expect(response.headers.get("content-security-policy")).toMatch(/(^|;)base-uri 'none'(;|$)/);
    }
  });
});
