/** The same flows through the typed tRPC client (httpBatchLink). */
import { passcodeTable, userTable } from "@otp/core/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/router.js";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe.each(BACKENDS)("tRPC API (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("register, resend twice, verify with the newest code", async () => {
    const email = "trpc@example.com";
    expect(
      await t.trpc.auth.register.mutate({ email, password: "correct horse battery staple" }),
    ).toEqual({
      email,
      message: expect.any(String),
    });
    const firstCode = await t.codeFor(email);
    await t.trpc.auth.resendCode.mutate({ email });
    await t.trpc.auth.resendCode.mutate({ email, codeType: "VERIFICATION" });
    const table = await passcodeTable(t.database);
    expect(table).toHaveLength(1);
    const code = await t.codeFor(email);
    if (code !== firstCode) {
      const old = await failure(t.trpc.auth.verifyEmail.mutate({ email, code: firstCode }));
      expect(old.data?.code).toBe("OTP_INVALID");
      expect(old.data?.httpStatus).toBe(400);
    }
    expect(await t.trpc.auth.verifyEmail.mutate({ email, code })).toMatchObject({
      email,
      verified: true,
    });
    expect((await userTable(t.database)).find((u) => u.email === email)?.is_verified).toBe(true);
  });

  it("batches calls in one request", async () => {
    const [rules, resent] = await Promise.all([
      t.trpc.auth.rules.query(),
      t.trpc.auth.resendCode.mutate({ email: "batch@example.com" }),
    ]);
    expect(rules).toEqual({
      appName: "OTP",
      devMailbox: true,
      codeLength: 8,
      codeTtlSeconds: 600,
      sendCooldownSeconds: 0,
      passwordMinLength: 15,
      passwordMaxLength: 128,
      // No Accept-Language: the default; the languages are the email catalogues'.
      locale: "en",
      locales: ["en", "de"],
    });
    expect(resent.email).toBe("batch@example.com");
  });

  it("gives validation errors with the domain code and field errors", async () => {
    const error = await failure(
      t.trpc.auth.verifyEmail.mutate({ email: "not-an-email", code: "12ab" }),
    );
    expect(error.data?.code).toBe("INVALID_INPUT");
    expect(error.data?.httpStatus).toBe(400);
    expect(Object.keys(error.data?.fieldErrors ?? {}).sort()).toEqual(["code", "email"]);
  });

  it("exposes the dev mailbox in development, with the delivered email", async () => {
    const email = "mailbox@example.com";
    await t.trpc.auth.register.mutate({ email, password: "correct horse battery staple" });
    const code = await t.codeFor(email);
    const deadline = Date.now() + 10_000;
    let messages = await t.trpc.dev.mailbox.query();
    while (!messages.some((m) => m.to === email) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      messages = await t.trpc.dev.mailbox.query();
    }
    const message = messages.find((m) => m.to === email);
    expect(message?.text).toContain(code);
    expect(message?.html).toContain(code);
    // The link beside the code, to open from the mailbox (the email's frame is sandboxed).
    const token = await t.linkFor(email);
    expect(message?.link).toBe(`/link#token=${token}`);
    expect(message?.text).toContain(`/link#token=${token}`);
  });
});
