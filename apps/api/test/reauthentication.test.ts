/**
 * Re-authentication before an email change and the link that undoes it
 * (issue 23 finding 2, ADR 20), over real HTTP on both surfaces.
 */
import { queryRows } from "@otp/core/db";
import { sql } from "@otp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

/** A cookie jar holding every cookie a client was set, as a browser would send them back. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    headers: (): Record<string, string> =>
      cookies.size === 0
        ? {}
        : { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") },
    take(response: Response) {
      for (const set of response.headers.getSetCookie()) {
        const [pair = ""] = set.split(";");
        const [name = "", value = ""] = pair.split("=");
        if (value === "" || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(set)) cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    },
  };
}

describe.each(BACKENDS)("re-authentication over HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function post(client: ReturnType<typeof jar>, path: string, body: unknown) {
    return client.take(await t.post(path, body, { headers: client.headers() }));
  }

  /** A verified account, signed in from a new client. */
  async function signedIn(email: string) {
    const client = jar();
    await post(client, "/api/v1/auth/register/", { email, password: PASSWORD });
    await post(client, "/api/v1/auth/verify-email/", { email, otp: await t.codeFor(email) });
    const browser = jar();
    expect(
      (await post(browser, "/api/v1/auth/sign-in/", { email, password: PASSWORD })).status,
    ).toBe(200);
    return browser;
  }

  /** Every session of the account signed in an hour ago, with no authentication since. */
  async function staleSessions(email: string) {
    await t.database.db.execute(
      sql`UPDATE sessions SET created_at = now() - interval '1 hour', authenticated_at = NULL
          WHERE user_id = (SELECT id FROM users WHERE email = ${email})`,
    );
  }

  async function errorOf(response: Response) {
    const body = (await response.json()) as {
      error?: { code: string | number; data?: { code?: string } };
    };
    // REST: error.code; tRPC: error.data.code (error.code is JSON-RPC's number).
    return { status: response.status, code: body.error?.data?.code ?? body.error?.code };
  }

  it("an email change after REAUTH_MAX_AGE_SECONDS is 403 REAUTHENTICATION_REQUIRED on REST and tRPC; { password } re-authenticates", async () => {
    const email = "stale@example.com";
    const browser = await signedIn(email);
    await staleSessions(email);
    const newEmail = "stale.new@example.com";
    expect(
      await errorOf(await post(browser, "/api/v1/account/email-change/", { email: newEmail })),
    ).toEqual({ status: 403, code: "REAUTHENTICATION_REQUIRED" });
    expect(
      await errorOf(await post(browser, "/trpc/account.requestEmailChange", { newEmail })),
    ).toEqual({ status: 403, code: "REAUTHENTICATION_REQUIRED" });
    expect(
      await errorOf(
        await post(browser, "/api/v1/account/email-change/confirm/", { otp: "12345678" }),
      ),
    ).toEqual({ status: 403, code: "REAUTHENTICATION_REQUIRED" });
    // Bad input is a clear 400, a wrong password 401; nothing changes.
    expect(await errorOf(await post(browser, "/api/v1/account/reauthenticate/", {}))).toEqual({
      status: 400,
      code: "INVALID_INPUT",
    });
    expect(
      await errorOf(await post(browser, "/api/v1/account/reauthenticate/", { password: "wrong" })),
    ).toEqual({ status: 401, code: "INVALID_CREDENTIALS" });
    expect(
      await errorOf(await t.post("/api/v1/account/reauthenticate/", { password: PASSWORD })),
    ).toEqual({ status: 401, code: "UNAUTHORIZED" });
    const done = await post(browser, "/api/v1/account/reauthenticate/", { password: PASSWORD });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ authenticatedAt: expect.any(String) });
    expect((await post(browser, "/api/v1/account/email-change/", { email: newEmail })).status).toBe(
      200,
    );
  });

  it("{ otp } after reauthenticate/code/ (tRPC account.requestReauthenticationCode, account.reauthenticate); the change ends the other sessions and the old address can undo it once", async () => {
    const email = "coded@example.com";
    const newEmail = "coded.new@example.com";
    const browser = await signedIn(email);
    const other = await signedIn2(email);
    await staleSessions(email);
    expect((await post(browser, "/trpc/account.requestReauthenticationCode", {})).status).toBe(200);
    const otp = await t.codeFor(email, "REAUTHENTICATION");
    const wrong = await post(browser, "/trpc/account.reauthenticate", {
      otp: otp.replace(/^./, (d) => String((Number(d) + 1) % 10)),
    });
    expect(await errorOf(wrong)).toEqual({ status: 400, code: "OTP_INVALID" });
    expect((await post(browser, "/trpc/account.reauthenticate", { otp })).status).toBe(200);
    expect((await post(browser, "/api/v1/account/email-change/", { email: newEmail })).status).toBe(
      200,
    );
    const confirmed = await post(browser, "/api/v1/account/email-change/confirm/", {
      otp: await t.codeFor(newEmail, "EMAIL_CHANGE"),
    });
    expect(confirmed.status).toBe(200);
    // The other session ended; this one lives on.
    expect((await fetch(`${t.url}/api/v1/auth/me/`, { headers: other.headers() })).status).toBe(
      401,
    );
    expect((await fetch(`${t.url}/api/v1/auth/me/`, { headers: browser.headers() })).status).toBe(
      200,
    );
    // The notice to the old address carries the undo link and no longer says to reset a password.
    const deadline = Date.now() + 15_000;
    let notice = t.app.mailbox?.list().find((m) => m.to === email && m.text.includes(newEmail));
    while (notice === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      notice = t.app.mailbox?.list().find((m) => m.to === email && m.text.includes(newEmail));
    }
    expect(notice?.text).not.toMatch(/reset/i);
    const token = notice?.text.match(/\/link#token=([A-Za-z0-9._-]+)/)?.[1] ?? "";
    const described = await t.post("/api/v1/auth/verify-link/describe/", { token });
    expect(await described.json()).toMatchObject({ step: "EMAIL_CHANGE_UNDO", email });
    const anyone = jar();
    const undone = await post(anyone, "/api/v1/auth/verify-link/", { token });
    expect(undone.status).toBe(200);
    expect(await undone.json()).toMatchObject({ step: "EMAIL_CHANGE_UNDO", email });
    expect((await fetch(`${t.url}/api/v1/auth/me/`, { headers: browser.headers() })).status).toBe(
      401,
    );
    expect(await errorOf(await post(anyone, "/api/v1/auth/verify-link/", { token }))).toEqual({
      status: 400,
      code: "OTP_ALREADY_USED",
    });
    const [row] = await queryRows<{ email: string }>(
      t.database.db,
      sql`SELECT email FROM users WHERE email IN (${email}, ${newEmail})`,
    );
    expect(row?.email).toBe(email);
  });

  it("the OpenAPI document has both routes and the error code", async () => {
    const document = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(document.paths["/api/v1/account/reauthenticate/"]?.post).toBeDefined();
    expect(document.paths["/api/v1/account/reauthenticate/code/"]?.post).toBeDefined();
    expect(
      Object.keys(document.paths["/api/v1/account/email-change/"]?.post?.responses ?? {}),
    ).toContain("403");
    expect(JSON.stringify(document)).toContain("REAUTHENTICATION_REQUIRED");
  });

  /** A second session of the same account, from another client. */
  async function signedIn2(email: string) {
    const browser = jar();
    await post(browser, "/api/v1/auth/sign-in/", { email, password: PASSWORD });
    return browser;
  }
});
