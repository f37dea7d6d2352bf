/** SEND_LIMIT_REACHED tells a cool-down apart from the window's cap, alike on both transports. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

async function trpcError(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    return (error as { data?: Record<string, unknown> }).data;
  }
  throw new Error("the call succeeded");
}

describe.each(BACKENDS)("SEND_LIMIT_REACHED carries its reason (%s)", (backend) => {
  let cooldown: TestApp;
  let cap: TestApp;
  beforeAll(async () => {
    [cooldown, cap] = await Promise.all([
      startTestApp(backend, { OTP_SEND_COOLDOWN_SECONDS: "60" }),
      startTestApp(backend, { OTP_SEND_LIMIT: "1" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([cooldown?.close(), cap?.close()]);
  });

  it("COOLDOWN: a second send within the gap, with the gap's end as retryAt", async () => {
    const email = "cooldown@example.com";
    await cooldown.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const rest = await cooldown.post("/api/v1/auth/resend-otp/", { email });
    expect(rest.status).toBe(429);
    const { error } = (await rest.json()) as { error: { retryAt: string } };
    expect(error).toMatchObject({ code: "SEND_LIMIT_REACHED", reason: "COOLDOWN" });
    const untilRetry = Date.parse(error.retryAt) - Date.now();
    expect(untilRetry).toBeGreaterThan(50_000);
    expect(untilRetry).toBeLessThanOrEqual(60_000);

    const data = await trpcError(cooldown.trpc.auth.resendCode.mutate({ email }));
    expect(data).toMatchObject({ code: "SEND_LIMIT_REACHED", reason: "COOLDOWN", httpStatus: 429 });
    expect(data?.retryAt).toBe(error.retryAt);
  });

  it("HOURLY_CAP: the window's sends used up", async () => {
    const email = "cap@example.com";
    await cap.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const rest = await cap.post("/api/v1/auth/resend-otp/", { email });
    expect(rest.status).toBe(429);
    expect(await rest.json()).toMatchObject({
      error: { code: "SEND_LIMIT_REACHED", reason: "HOURLY_CAP", retryAt: expect.any(String) },
    });
    const data = await trpcError(cap.trpc.auth.requestSignInCode.mutate({ email }));
    expect(data).toMatchObject({ code: "SEND_LIMIT_REACHED", reason: "HOURLY_CAP" });
  });
});
