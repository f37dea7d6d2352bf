/** OTP_REPLACED: the code of an earlier email, told apart from a wrong one, alike on both transports. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

describe.each(BACKENDS)("a replaced code (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 400 OTP_REPLACED on REST and tRPC, and the latest code still works", async () => {
    const email = "replaced@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const replaced = await t.codeFor(email);
    await t.post("/api/v1/auth/resend-otp/", { email });
    const latest = await t.codeFor(email);
    if (latest === replaced) return; // one chance in 10^8: nothing to tell apart

    const rest = await t.post("/api/v1/auth/verify-email/", { email, otp: replaced });
    expect(rest.status).toBe(400);
    expect(await rest.json()).toEqual({
      error: { code: "OTP_REPLACED", message: "A newer code was sent; use the latest email." },
    });
    const trpc = await t.trpc.auth.verifyEmail
      .mutate({ email, code: replaced })
      .catch((error: { data?: unknown }) => error.data);
    expect(trpc).toMatchObject({ code: "OTP_REPLACED", httpStatus: 400 });

    const verified = await t.post("/api/v1/auth/verify-email/", { email, otp: latest });
    expect(verified.status).toBe(200);
  });
});
