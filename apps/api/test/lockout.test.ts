/**
 * The password budget and the consecutive-failure cap over HTTP: statuses,
 * Retry-After, the unlock link (a GET changes nothing; the POST unlocks once).
 */
import { readOutbox, TEST_SECRET } from "@otp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

describe.each(BACKENDS)("lockout over HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, {
      RATE_LIMIT_ENABLED: "false",
      PASSWORD_MAX_FAILURES: "3",
      MAX_CONSECUTIVE_FAILURES: "3",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function verified(email: string): Promise<void> {
    const registered = await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const binding = registered.headers
      .getSetCookie()
      .find((c) => c.startsWith("otp_registration="))
      ?.split(";")[0];
    const answer = await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp: await t.codeFor(email) },
      { headers: { cookie: binding ?? "" } },
    );
    expect(await answer.json()).toMatchObject({ signedIn: true });
  }

  it("wrong passwords past the cap: 403 ACCOUNT_LOCKED on both surfaces, even with the right password; GET of the link changes nothing; POST unlocks once", async () => {
    const email = "locked-out@example.com";
    await verified(email);
    for (let i = 0; i < 3; i++) {
      const wrong = await t.post("/api/v1/auth/sign-in/", { email, password: "wrong wrong wrong" });
      expect(wrong.status).toBe(401);
    }
    const locked = await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD });
    expect(locked.status).toBe(403);
    expect(await locked.json()).toMatchObject({ error: { code: "ACCOUNT_LOCKED" } });
    const trpc = await t.post("/trpc/auth.signIn", { email, password: PASSWORD });
    expect(trpc.status).toBe(403);
    expect(await trpc.json()).toMatchObject({ error: { data: { code: "ACCOUNT_LOCKED" } } });

    const deadline = Date.now() + 10_000;
    let token: string | undefined;
    while (token === undefined && Date.now() < deadline) {
      const rows = await readOutbox(t.database, TEST_SECRET);
      token = rows.find((row) => row.kind === "ACCOUNT_LOCKED")?.message?.unlockToken;
      if (token === undefined) {
        // Delivered already (payload scrubbed): read it from the dev mailbox.
        const mail = t.app.mailbox?.list().find((m) => m.to === email && /unlock/i.test(m.text));
        token = mail?.text.match(/unlock#token=([A-Za-z0-9_-]+)/)?.[1];
      }
      if (token === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // What a mail scanner does: GET the link (and the API path). Nothing changes.
    await fetch(`${t.url}/unlock?token=${token}`);
    await fetch(`${t.url}/api/v1/auth/unlock/?token=${token}`);
    expect((await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD })).status).toBe(403);

    const unlocked = await t.post("/api/v1/auth/unlock/", { token });
    expect(unlocked.status).toBe(200);
    expect(await unlocked.json()).toMatchObject({ detail: expect.any(String) });
    const again = await t.post("/api/v1/auth/unlock/", { token });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: { code: "TOKEN_INVALID" } });
    expect((await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD })).status).toBe(200);
  });

  it("the password budget answers 429 TOO_MANY_ATTEMPTS with retryAt and Retry-After, even for the right password", async () => {
    const email = "budget@example.com";
    await verified(email);
    // Two wrong, then a success resets the consecutive count but keeps the window's budget.
    for (let i = 0; i < 2; i++)
      await t.post("/api/v1/auth/sign-in/", { email, password: "nope nope nope" });
    expect((await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD })).status).toBe(200);
    await t.post("/api/v1/auth/sign-in/", { email, password: "nope nope nope" });
    const limited = await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(800);
    const body = (await limited.json()) as { error: { code: string; retryAt: string } };
    expect(body.error.code).toBe("TOO_MANY_ATTEMPTS");
    expect(Date.parse(body.error.retryAt)).toBeGreaterThan(Date.now());
  });

  it("unlock validates its input: 400 INVALID_INPUT, never 500", async () => {
    for (const body of [
      {},
      { token: 5 },
      { token: "" },
      { token: "x".repeat(500) },
      { token: "a", extra: 1 },
    ]) {
      const answer = await t.post("/api/v1/auth/unlock/", body);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: { code: "INVALID_INPUT" } });
    }
  });
});
