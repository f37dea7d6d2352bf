/**
 * The link beside every code, over real HTTP with cookies (ADR 13): POST
 * /api/v1/auth/verify-link/describe/ (tRPC auth.describeLink) describes and
 * changes nothing; POST /api/v1/auth/verify-link/ (tRPC auth.useLink)
 * completes the step and answers as the step's code route does. The token
 * travels in bodies only: the emailed link carries it in the URL fragment.
 */
import { queryRows } from "@otp/core/db";
import { passcodeTable, sql, userTable } from "@otp/core/testing";
import { proceduresIn } from "@otp/server/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase for links";
const LINK = "/api/v1/auth/verify-link/";
const DESCRIBE = "/api/v1/auth/verify-link/describe/";

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
    has: (name: string) => cookies.has(name),
  };
}

describe.each(BACKENDS)("links beside codes over HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    // Many guesses from one address in this suite; the per-IP limit is checked below by group.
    t = await startTestApp(backend, { RATE_LIMIT_VERIFY_PER_MINUTE: "1000" });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function everything() {
    const rows = (query: ReturnType<typeof sql>) => queryRows(t.database.db, query);
    return {
      users: await userTable(t.database),
      passcodes: await passcodeTable(t.database),
      attempts: await rows(
        sql`SELECT user_id, code_type::text, failures FROM otp_attempts ORDER BY 1, 2`,
      ),
      failures: await rows(
        sql`SELECT recipient_key, consecutive_failures FROM account_failures ORDER BY 1`,
      ),
      sessions: await rows(sql`SELECT id FROM sessions ORDER BY id`),
      events: await rows(sql`SELECT id FROM security_events ORDER BY id`),
    };
  }

  const describeLink = (token: string) => t.post(DESCRIBE, { token });

  async function post(client: ReturnType<typeof jar>, path: string, body: unknown) {
    return client.take(await t.post(path, body, { headers: client.headers() }));
  }

  async function verifiedAccount(email: string) {
    const client = jar();
    await post(client, "/api/v1/auth/register/", { email, password: PASSWORD });
    const verified = await post(client, "/api/v1/auth/verify-email/", {
      email,
      otp: await t.codeFor(email),
    });
    expect(verified.status).toBe(200);
    return client;
  }

  it("describing and using a link spend the per-IP guess budget", () => {
    expect(proceduresIn("guess")).toEqual(
      expect.arrayContaining(["auth.describeLink", "auth.useLink"]),
    );
  });

  it("verification: GET says what will happen and changes nothing; POST from the registering client verifies and signs in", async () => {
    const email = "link-verify@example.com";
    const client = jar();
    await post(client, "/api/v1/auth/register/", { email, password: PASSWORD });
    const token = await t.linkFor(email);

    const before = await everything();
    const described = await describeLink(token);
    expect(described.status).toBe(200);
    expect(await described.json()).toEqual({
      step: "VERIFICATION",
      email,
      detail: "Verify your email address.",
    });
    // Opened twice, as mail scanners do: still nothing changed.
    expect((await describeLink(token)).status).toBe(200);
    expect(await everything()).toEqual(before);

    const used = await post(client, LINK, { token });
    expect(used.status).toBe(200);
    expect(await used.json()).toEqual({
      step: "VERIFICATION",
      email,
      verified: true,
      signedIn: true,
      passwordActive: true,
      detail: "Your email address is verified and you are signed in.",
    });
    expect(client.has("otp_session")).toBe(true);
    const me = await fetch(`${t.url}/api/v1/auth/me/`, { headers: client.headers() });
    expect(await me.json()).toMatchObject({ email, isVerified: true });
  });

  it("the dev mailbox prints the link whole, from APP_URL, so a terminal can open it", async () => {
    const email = "printed-link@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const token = await t.linkFor(email);
    const line = t.mailboxLines.find((printed) => printed.includes(`to ${email}:`));
    expect(line).toContain(` link ${t.app.config.appUrl}/link#token=${token}`);
    expect(t.app.config.appUrl).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it("verification from another device proves the address and sets no session (ADR 10)", async () => {
    const email = "link-elsewhere@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const phone = jar();
    const used = await post(phone, LINK, { token: await t.linkFor(email) });
    expect(await used.json()).toMatchObject({ signedIn: false, passwordActive: false });
    expect(phone.has("otp_session")).toBe(false);
  });

  it("sign-in: the link sets the session cookie, as sign-in-code/verify does; it works once", async () => {
    const email = "link-sign-in@example.com";
    await verifiedAccount(email);
    await t.post("/api/v1/auth/sign-in-code/", { email });
    const token = await t.linkFor(email, "SIGN_IN");
    expect(await (await describeLink(token)).json()).toMatchObject({ step: "SIGN_IN", email });
    const client = jar();
    const used = await post(client, LINK, { token });
    expect(used.status).toBe(200);
    expect(await used.json()).toEqual({ step: "SIGN_IN", email, detail: "You are signed in." });
    expect(client.has("otp_session")).toBe(true);

    const again = await t.post(LINK, { token });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: { code: "OTP_ALREADY_USED" } });
  });

  it("over tRPC: auth.describeLink and auth.useLink", async () => {
    const email = "link-trpc@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const token = await t.linkFor(email);
    expect(await t.trpc.auth.describeLink.mutate({ token })).toMatchObject({
      step: "VERIFICATION",
      email,
    });
    expect(await t.trpc.auth.useLink.mutate({ token })).toMatchObject({
      step: "VERIFICATION",
      verified: true,
    });
    await expect(t.trpc.auth.useLink.mutate({ token })).rejects.toMatchObject({
      data: { code: "OTP_ALREADY_USED", httpStatus: 400 },
    });
  });

  it("the code of a used link is OTP_ALREADY_USED; a resend kills the old link", async () => {
    const email = "link-resend@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const oldLink = await t.linkFor(email);
    const oldCode = await t.codeFor(email);
    await t.post("/api/v1/auth/resend-otp/", { email });
    const newCode = await t.codeFor(email);
    expect(newCode).not.toBe(oldCode);
    const refused = await t.post(LINK, { token: oldLink });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "LINK_INVALID" } });
    const described = await describeLink(oldLink);
    expect(described.status).toBe(400);

    expect((await t.post(LINK, { token: await t.linkFor(email) })).status).toBe(200);
    const code = await t.post("/api/v1/auth/verify-email/", { email, otp: newCode });
    expect(await code.json()).toMatchObject({ error: { code: "OTP_ALREADY_USED" } });
  });

  it("password reset: the link needs the new password (REST `password`), then resets and clears the session", async () => {
    const email = "link-reset@example.com";
    const client = await verifiedAccount(email);
    await t.post("/api/v1/auth/password-reset/", { email });
    const token = await t.linkFor(email, "PASSWORD_RESET");
    const before = await everything();
    const missing = await post(client, LINK, { token });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: "INVALID_INPUT", fieldErrors: { password: [expect.any(String)] } },
    });
    expect(await everything()).toEqual(before);
    const reset = await post(client, LINK, { token, password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({ step: "PASSWORD_RESET", email });
    expect(client.has("otp_session")).toBe(false);
    const signIn = await t.post("/api/v1/auth/sign-in/", { email, password: NEW_PASSWORD });
    expect(signIn.status).toBe(200);
  });

  it("email change: the link needs the signed-in session of the account", async () => {
    const email = "link-change@example.com";
    const newEmail = "link-changed@example.com";
    const client = await verifiedAccount(email);
    await post(client, "/api/v1/account/email-change/", { email: newEmail });
    const token = await t.linkFor(newEmail, "EMAIL_CHANGE");
    expect(await (await describeLink(token)).json()).toMatchObject({
      step: "EMAIL_CHANGE",
      email: newEmail,
    });
    const anonymous = await t.post(LINK, { token });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const other = await verifiedAccount("link-other@example.com");
    expect((await post(other, LINK, { token })).status).toBe(401);
    const changed = await post(client, LINK, { token });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ step: "EMAIL_CHANGE", email: newEmail });
  });

  it("bad input, made-up and wrong tokens: clear 4xx; only a wrong secret for a real row is charged", async () => {
    const email = "link-bad@example.com";
    await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const token = await t.linkFor(email);
    const [id, secret = ""] = token.split(".");
    const before = await everything();
    for (const [body, code] of [
      [{}, "INVALID_INPUT"],
      [{ token: "" }, "INVALID_INPUT"],
      [{ token: "nonsense" }, "INVALID_INPUT"],
      [{ token: `${token}x` }, "INVALID_INPUT"],
      [{ token: 12345 }, "INVALID_INPUT"],
      [{ token, isAdmin: true }, "INVALID_INPUT"],
      [[token], "INVALID_INPUT"],
      [{ token: `00000000-0000-4000-8000-000000000000.${secret}` }, "LINK_INVALID"],
    ] as const) {
      const response = await t.post(LINK, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code } });
    }
    expect((await t.post(LINK, "", { raw: true })).status).toBe(400);
    // No GET carries a token: a query string is never read for one.
    const asQuery = `?token=${encodeURIComponent(token)}`;
    expect((await fetch(`${t.url}${LINK}${asQuery}`)).status).toBe(404);
    expect((await fetch(`${t.url}${DESCRIBE}${asQuery}`)).status).toBe(404);
    expect(
      (
        await fetch(
          `${t.url}/trpc/auth.describeLink?input=${encodeURIComponent(JSON.stringify({ token }))}`,
        )
      ).status,
    ).toBe(405);
    expect((await describeLink("nonsense")).status).toBe(400);
    expect(await everything()).toEqual(before);

    // The right row, a wrong secret: charged like a wrong code.
    const wrong = `${id}.${secret.startsWith("A") ? "B" : "A"}${secret.slice(1)}`;
    const charged = await t.post(LINK, { token: wrong });
    expect(charged.status).toBe(400);
    expect(await charged.json()).toMatchObject({
      error: { code: "LINK_INVALID", attemptsLeft: 4 },
    });
    // Never logged.
    expect(t.logs.join("\n")).not.toContain(secret);
  });
});
