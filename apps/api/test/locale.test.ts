/**
 * The account's language over real HTTP (ADR 15), on PGlite and PostgreSQL:
 * registration takes the explicit field or else Accept-Language, the emails are
 * rendered in it, re-registration keeps it, the account changes it
 * (account.setLocale on REST and tRPC), and the rules answer tells a page
 * without an account the language its request prefers.
 */
import { queryRows } from "@otp/core/db";
import { sql } from "@otp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

describe.each(BACKENDS)("account language over HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const storedLocale = async (email: string) =>
    (
      await queryRows<{ locale: string }>(
        t.database.db,
        sql`SELECT locale FROM users WHERE email = ${email}`,
      )
    )[0]?.locale;
  const mailTo = (email: string) => (t.app.mailbox?.list() ?? []).filter((m) => m.to === email);

  it("registration without a field takes Accept-Language (q-values, de-DE -> de); the code email is German", async () => {
    const email = "greta@example.com";
    const response = await t.post(
      "/api/v1/auth/register/",
      { email, password: PASSWORD },
      { headers: { "accept-language": "fr-FR,fr;q=0.9,de-DE;q=0.8,en;q=0.5" } },
    );
    expect(response.status).toBe(201);
    expect(await storedLocale(email)).toBe("de");
    await t.codeFor(email);
    expect(mailTo(email)[0]?.subject).toBe("Bestätige deine E-Mail-Adresse für OTP");
    expect(mailTo(email)[0]?.html).toContain('lang="de"');
  });

  it("the explicit field wins over the header; no header and no field is English", async () => {
    await t.post(
      "/api/v1/auth/register/",
      { email: "ernst@example.com", password: PASSWORD, locale: "en" },
      { headers: { "accept-language": "de" } },
    );
    expect(await storedLocale("ernst@example.com")).toBe("en");
    await t.post("/api/v1/auth/register/", { email: "plain@example.com", password: PASSWORD });
    expect(await storedLocale("plain@example.com")).toBe("en");
  });

  it("an unsupported language is a 400 naming the field, on REST and tRPC", async () => {
    const response = await t.post("/api/v1/auth/register/", {
      email: "x@example.com",
      password: PASSWORD,
      locale: "xx",
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { code: string; fieldErrors: Record<string, string[]> };
    };
    expect(error.code).toBe("INVALID_INPUT");
    expect(Object.keys(error.fieldErrors)).toEqual(["locale"]);
    await expect(
      t.trpc.auth.register.mutate({
        email: "x@example.com",
        password: PASSWORD,
        locale: "xx" as "en",
      }),
    ).rejects.toMatchObject({ data: { httpStatus: 400, code: "INVALID_INPUT" } });
  });

  it("re-registration with another language answers alike and changes nothing", async () => {
    const email = "greta@example.com";
    const again = await t.post(
      "/api/v1/auth/register/",
      { email, password: PASSWORD, locale: "en" },
      { headers: { "accept-language": "en" } },
    );
    const fresh = await t.post(
      "/api/v1/auth/register/",
      { email: "nobody.yet@example.com", password: PASSWORD, locale: "en" },
      { headers: { "accept-language": "en" } },
    );
    expect(again.status).toBe(fresh.status);
    expect(Object.keys((await again.json()) as object)).toEqual(
      Object.keys((await fresh.json()) as object),
    );
    expect(await storedLocale(email)).toBe("de");
  });

  it("the rules answer names the request's language; me names the account's; setLocale changes it", async () => {
    const rules = await fetch(`${t.url}/trpc/auth.rules`, {
      headers: { "accept-language": "de-AT,de;q=0.9" },
    });
    expect(((await rules.json()) as { result: { data: unknown } }).result.data).toMatchObject({
      locale: "de",
      locales: ["en", "de"],
    });
    expect(await t.trpc.auth.rules.query()).toMatchObject({ locale: "en" });

    const email = "switch@example.com";
    const registered = await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    const cookies = registered.headers
      .getSetCookie()
      .map((set) => set.split(";")[0])
      .join("; ");
    const verified = await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp: await t.codeFor(email) },
      { headers: { cookie: cookies } },
    );
    const session = verified.headers
      .getSetCookie()
      .map((set) => set.split(";")[0])
      .find((pair) => pair?.startsWith("otp_session="));
    const headers = { cookie: session ?? "" };
    const me = async () =>
      (await (await fetch(`${t.url}/api/v1/auth/me/`, { headers })).json()) as { locale: string };
    expect((await me()).locale).toBe("en");

    const set = await t.post("/api/v1/account/locale/", { locale: "de" }, { headers });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ locale: "de" });
    expect((await me()).locale).toBe("de");
    expect(await storedLocale(email)).toBe("de");

    const refused = await t.post("/api/v1/account/locale/", { locale: "fr" }, { headers });
    expect(refused.status).toBe(400);
    const anonymous = await t.post("/api/v1/account/locale/", { locale: "de" });
    expect(anonymous.status).toBe(401);

    // The next email to the account is German.
    await t.post("/api/v1/auth/sign-in-code/", { email });
    await t.codeFor(email, "SIGN_IN");
    expect(mailTo(email).map((m) => m.subject)).toContain("Bei OTP anmelden");
  });
});
