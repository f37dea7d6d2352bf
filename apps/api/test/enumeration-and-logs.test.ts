import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

describe.each(BACKENDS)("enumeration and logs (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await t.post("/api/v1/auth/register/", { email: "unverified@example.com", password: PASSWORD });
    await t.post("/api/v1/auth/register/", { email: "verified@example.com", password: PASSWORD });
    const otp = await t.codeFor("verified@example.com");
    await t.post("/api/v1/auth/verify-email/", { email: "verified@example.com", otp });
  });
  afterAll(async () => {
    await t?.close();
  });

  const answer = async (path: string, body: Record<string, string>) => {
    const response = await t.post(path, body);
    const json = JSON.stringify(await response.json()).replaceAll(body.email ?? "", "<email>");
    return { status: response.status, json };
  };

  it.each([
    ["/api/v1/auth/resend-otp/", {}],
    ["/api/v1/auth/register/", { password: PASSWORD }],
    ["/trpc/auth.resendCode", {}],
    ["/trpc/auth.register", { password: PASSWORD }],
  ] as const)(
    "%s answers identically for unknown, unverified and verified addresses",
    async (path, extra) => {
      const unknown = await answer(path, { email: "unknown@example.com", ...extra });
      const unverified = await answer(path, { email: "unverified@example.com", ...extra });
      const verified = await answer(path, { email: "verified@example.com", ...extra });
      expect(unknown.status).toBeLessThan(300);
      expect(unverified).toEqual(unknown);
      expect(verified).toEqual(unknown);
    },
  );

  it("never logs a code or a password", async () => {
    const email = "secretive@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const otp = await t.codeFor(email);
    await t.post("/api/v1/auth/verify-email/", { email, otp: "00000000" });
    await t.post("/api/v1/auth/verify-email/", { email, otp });
    await t.trpc.auth.resendCode.mutate({ email });
    const logs = t.logs.join("");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain("passcode issued");
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(otp);
    expect(logs).not.toContain(t.app.config.secret);
  });
});
