/** The seed's three curl flows, through the REST paths, with the database state asserted. */
import { passcodeTable, userTable, wrongCode } from "@otp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

describe.each(BACKENDS)("REST surface (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("register -> verify-email -> resend-otp, as the seed's curl examples", async () => {
    const email = "test@example.com";
    const registered = await t.post("/api/v1/auth/register/", {
      email,
      password: "correct horse battery staple",
    });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toEqual({ detail: expect.any(String), email });
    expect(await passcodeTable(t.database)).toEqual([
      expect.objectContaining({ email, code_type: "VERIFICATION", is_used: false }),
    ]);

    // "Immediately resend again (should work, no rate limiting)"
    for (let i = 0; i < 2; i++) {
      const resent = await t.post("/api/v1/auth/resend-otp/", { email });
      expect(resent.status).toBe(200);
      expect(await resent.json()).toEqual({
        detail: expect.stringContaining("Earlier codes no longer work"),
        email,
      });
      const table = await passcodeTable(t.database);
      expect(table).toHaveLength(1);
      expect(table[0]?.is_used).toBe(false);
    }

    const otp = await t.codeFor(email);
    const verified = await t.post("/api/v1/auth/verify-email/", { email, otp });
    expect(verified.status).toBe(200);
    // From a client without the registration's cookie (as curl is): proven, no password yet.
    expect(await verified.json()).toEqual({
      detail: expect.any(String),
      email,
      verified: true,
      signedIn: false,
      passwordActive: false,
    });
    expect(await passcodeTable(t.database)).toEqual([
      expect.objectContaining({ email, is_used: true }),
    ]);
    expect((await userTable(t.database)).find((u) => u.email === email)?.is_verified).toBe(true);

    // The same code again: already used, nothing changes.
    const again = await t.post("/api/v1/auth/verify-email/", { email, otp });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: { code: "OTP_ALREADY_USED" } });
  });

  it("works without the trailing slash too", async () => {
    const response = await t.post("/api/v1/auth/resend-otp", { email: "nobody@example.com" });
    expect(response.status).toBe(200);
  });

  it("a wrong code says how many attempts are left; a lockout says when to retry", async () => {
    const email = "locked@example.com";
    await t.post("/api/v1/auth/register/", { email, password: "correct horse battery staple" });
    const code = await t.codeFor(email);
    const wrong = wrongCode(code);
    const first = await t.post("/api/v1/auth/verify-email/", { email, otp: wrong });
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: { code: "OTP_INVALID", attemptsLeft: 4 } });
    for (let i = 0; i < 4; i++) await t.post("/api/v1/auth/verify-email/", { email, otp: wrong });
    const locked = await t.post("/api/v1/auth/verify-email/", { email, otp: code });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await locked.json()).toMatchObject({
      error: { code: "TOO_MANY_ATTEMPTS", retryAt: expect.any(String) },
    });
  });

  it("answers health and readiness", async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: true } });
  });

  it("sends security headers and a request id", async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
