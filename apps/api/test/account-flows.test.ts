/** Sessions, password reset, sign-in by code and email change over real HTTP, with cookies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

/** `name=value` of the cookie a response set, for a Cookie header. */
function cookieNamed(response: Response, name: string): string {
  const set = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (set === undefined) throw new Error(`no ${name} cookie`);
  return set.split(";")[0] ?? "";
}

/** A tiny cookie jar: what a browser would send back. */
function jar() {
  let cookie = "";
  return {
    headers: (): Record<string, string> => (cookie === "" ? {} : { cookie }),
    take(response: Response) {
      const set = response.headers.get("set-cookie");
      if (set !== null) cookie = set.split(";")[0] ?? "";
      return set;
    },
  };
}

describe.each(BACKENDS)("account flows over HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Registers and verifies from one client (its binding cookie): the password is active. */
  async function verifiedAccount(email: string): Promise<void> {
    const registered = await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const binding = cookieNamed(registered, "otp_registration");
    const otp = await t.codeFor(email);
    const verified = await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp },
      { headers: { cookie: binding } },
    );
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ signedIn: true, passwordActive: true });
  }

  it("verify-email from the registering client activates the password and signs in; from elsewhere it proves the address only", async () => {
    const email = "bound@example.com";
    const registered = await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const bindingCookie = registered.headers
      .getSetCookie()
      .find((c) => c.startsWith("otp_registration="));
    expect(bindingCookie).toMatch(/^otp_registration=[A-Za-z0-9_-]{43};/);
    expect(bindingCookie).toContain("HttpOnly");
    expect(bindingCookie).toContain("SameSite=Strict");
    const otp = await t.codeFor(email);
    const verified = await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp },
      { headers: { cookie: cookieNamed(registered, "otp_registration") } },
    );
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({
      email,
      verified: true,
      signedIn: true,
      passwordActive: true,
    });
    const session = cookieNamed(verified, "otp_session");
    const me = await fetch(`${t.url}/api/v1/auth/me/`, { headers: { cookie: session } });
    expect(await me.json()).toMatchObject({ email, isVerified: true });
    expect((await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD })).status).toBe(200);

    // Another client (no binding cookie) enters the right code: proven, no password, no session.
    const other = "unbound@example.com";
    await t.post("/api/v1/auth/register/", { email: other, password: PASSWORD });
    const otherOtp = await t.codeFor(other);
    const unbound = await t.post("/trpc/auth.verifyEmail", { email: other, code: otherOtp });
    expect(unbound.status).toBe(200);
    expect(await unbound.json()).toMatchObject({
      result: { data: { signedIn: false, passwordActive: false, verified: true } },
    });
    expect(
      unbound.headers
        .getSetCookie()
        .some((c) => c.startsWith("otp_session=") && !c.startsWith("otp_session=;")),
    ).toBe(false);
    expect(
      (await t.post("/api/v1/auth/sign-in/", { email: other, password: PASSWORD })).status,
    ).toBe(401);
  });

  it("signs in with a password: an httpOnly, SameSite cookie; me; sign out refuses the session", async () => {
    const email = "session@example.com";
    await verifiedAccount(email);
    const browser = jar();
    const signIn = await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD });
    expect(signIn.status).toBe(200);
    const cookie = browser.take(signIn);
    expect(cookie).toMatch(/^otp_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure"); // http://localhost; Secure comes with an https APP_URL

    const me = await fetch(`${t.url}/api/v1/auth/me/`, { headers: browser.headers() });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email, isVerified: true });

    const stolen = browser.headers();
    expect(
      (await t.post("/api/v1/auth/sign-out/", {}, { headers: browser.headers() })).status,
    ).toBe(200);
    const after = await fetch(`${t.url}/api/v1/auth/me/`, { headers: stolen });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });

  it("refuses wrong passwords and unverified accounts with their codes", async () => {
    await t.post("/api/v1/auth/register/", { email: "unverified@example.com", password: PASSWORD });
    const wrong = await t.post("/api/v1/auth/sign-in/", {
      email: "unverified@example.com",
      password: "nope nope",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: "INVALID_CREDENTIALS" } });
    const unverified = await t.post("/api/v1/auth/sign-in/", {
      email: "unverified@example.com",
      password: PASSWORD,
    });
    expect(unverified.status).toBe(403);
    expect(await unverified.json()).toMatchObject({ error: { code: "EMAIL_NOT_VERIFIED" } });
  });

  it("password reset: new password works, old sessions are revoked", async () => {
    const email = "reset@example.com";
    await verifiedAccount(email);
    const browser = jar();
    browser.take(await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD }));
    expect((await t.post("/api/v1/auth/password-reset/", { email })).status).toBe(200);
    const otp = await t.codeFor(email, "PASSWORD_RESET");
    const reset = await t.post("/api/v1/auth/password-reset/confirm/", {
      email,
      otp,
      password: "an entirely new one",
    });
    expect(reset.status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/auth/me/`, { headers: browser.headers() })).status).toBe(
      401,
    );
    expect(
      (await t.post("/api/v1/auth/sign-in/", { email, password: "an entirely new one" })).status,
    ).toBe(200);
    const reuse = await t.post("/api/v1/auth/password-reset/confirm/", {
      email,
      otp,
      password: "yet another one",
    });
    expect(await reuse.json()).toMatchObject({ error: { code: "OTP_ALREADY_USED" } });
  });

  it("sign-in by code through tRPC", async () => {
    const email = "bycode@example.com";
    await verifiedAccount(email);
    await t.trpc.auth.requestSignInCode.mutate({ email });
    const otp = await t.codeFor(email, "SIGN_IN");
    const response = await t.post("/trpc/auth.signInWithCode", { email, code: otp });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/^otp_session=/);
  });

  it("email change: code to the new address, switch, the old address told; requires a session", async () => {
    const email = "old@example.com";
    const newEmail = "new@example.com";
    await verifiedAccount(email);
    expect((await t.post("/api/v1/account/email-change/", { email: newEmail })).status).toBe(401);
    const browser = jar();
    browser.take(await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD }));
    expect(
      (
        await t.post(
          "/api/v1/account/email-change/",
          { email: newEmail },
          { headers: browser.headers() },
        )
      ).status,
    ).toBe(200);
    const otp = await t.codeFor(newEmail, "EMAIL_CHANGE");
    const confirmed = await t.post(
      "/api/v1/account/email-change/confirm/",
      { otp },
      { headers: browser.headers() },
    );
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ email: newEmail });
    const me = await fetch(`${t.url}/api/v1/auth/me/`, { headers: browser.headers() });
    expect(await me.json()).toMatchObject({ email: newEmail });
    const deadline = Date.now() + 10_000;
    while (
      !t.app.mailbox?.list().some((m) => m.to === email && m.subject.includes("changed")) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(t.app.mailbox?.list().some((m) => m.to === email && m.text.includes(newEmail))).toBe(
      true,
    );
  });

  it("sign out everywhere revokes every session", async () => {
    const email = "everywhere@example.com";
    await verifiedAccount(email);
    const laptop = jar();
    const phone = jar();
    laptop.take(await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD }));
    phone.take(await t.post("/api/v1/auth/sign-in/", { email, password: PASSWORD }));
    const out = await t.post(
      "/api/v1/account/sign-out-everywhere/",
      {},
      { headers: laptop.headers() },
    );
    // The two sign-ins, and the session the verification opened.
    expect(await out.json()).toMatchObject({ sessionsRevoked: 3 });
    expect((await fetch(`${t.url}/api/v1/auth/me/`, { headers: phone.headers() })).status).toBe(
      401,
    );
  });

  it("request-a-code endpoints answer alike for unknown and known addresses", async () => {
    await verifiedAccount("known@example.com");
    for (const path of ["/api/v1/auth/password-reset/", "/api/v1/auth/sign-in-code/"]) {
      const known = await t.post(path, { email: "known@example.com" });
      const unknown = await t.post(path, { email: "unknown@example.com" });
      expect(known.status).toBe(unknown.status);
      const strip = (body: unknown) =>
        JSON.stringify(body).replace(/(known|unknown)@example\.com/, "*");
      expect(strip(await known.json())).toBe(strip(await unknown.json()));
    }
  });
});
