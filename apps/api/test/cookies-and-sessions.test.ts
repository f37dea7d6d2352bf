/**
 * Cookies and sessions (issue 23, finding 9), on PGlite and PostgreSQL:
 * `__Host-` cookie names when APP_URL is https, and a sign-in (password, code,
 * link, or a verification that signs in) ends the session the client
 * presented (ASVS 5.0 7.2.4).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";

/** A cookie jar, by name: every cookie a response set replaces the one of its name. */
function browser() {
  const cookies = new Map<string, string>();
  const setCookies: string[] = [];
  return {
    cookies,
    setCookies,
    headers(): Record<string, string> {
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      return cookie === "" ? {} : { cookie };
    },
    take(response: Response): Response {
      for (const set of response.headers.getSetCookie()) {
        setCookies.push(set);
        const [pair = "", ...attributes] = set.split(";");
        const [name = "", value = ""] = pair.split("=");
        const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a));
        if (value === "" || expired) cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    },
  };
}
type Browser = ReturnType<typeof browser>;

describe.each(BACKENDS)("cookies and sessions (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = async (client: Browser, path: string, body: unknown) =>
    client.take(await t.post(path, body, { headers: client.headers() }));
  const me = async (cookie: string) =>
    (await fetch(`${t.url}/api/v1/auth/me/`, { headers: { cookie } })).status;

  async function verifiedAccount(client: Browser, email: string) {
    await post(client, "/api/v1/auth/register/", { email, password: PASSWORD });
    const verified = await post(client, "/api/v1/auth/verify-email/", {
      email,
      otp: await t.codeFor(email),
    });
    expect(verified.status).toBe(200);
  }

  const sessionOf = (client: Browser) => `otp_session=${client.cookies.get("otp_session")}`;

  it("a sign-in by password, by code and by link each ends the session the client presented", async () => {
    const client = browser();
    const email = "rotation@example.com";
    await verifiedAccount(client, email);
    const seen = [sessionOf(client)];
    expect(await me(seen[0] as string)).toBe(200);

    const signIns: Array<[string, () => Promise<Response>]> = [
      ["password", () => post(client, "/api/v1/auth/sign-in/", { email, password: PASSWORD })],
      [
        "code",
        async () => {
          await post(client, "/api/v1/auth/sign-in-code/", { email });
          return post(client, "/api/v1/auth/sign-in-code/verify/", {
            email,
            otp: await t.codeFor(email, "SIGN_IN"),
          });
        },
      ],
      [
        "link",
        async () => {
          await post(client, "/api/v1/auth/sign-in-code/", { email });
          return post(client, "/api/v1/auth/verify-link/", {
            token: await t.linkFor(email, "SIGN_IN"),
          });
        },
      ],
    ];
    for (const [how, signIn] of signIns) {
      const before = seen.at(-1) as string;
      const answer = await signIn();
      expect(answer.status, how).toBe(200);
      const after = sessionOf(client);
      expect(after, how).not.toBe(before);
      expect(await me(before), `${how}: the presented session ended`).toBe(401);
      expect(await me(after), `${how}: the new session works`).toBe(200);
      seen.push(after);
    }
  });

  it("a sign-in presenting another account's session ends that session too", async () => {
    const client = browser();
    await verifiedAccount(client, "first@example.com");
    const first = sessionOf(client);
    await verifiedAccount(browser(), "second@example.com");
    const signedIn = await post(client, "/api/v1/auth/sign-in/", {
      email: "second@example.com",
      password: PASSWORD,
    });
    expect(signedIn.status).toBe(200);
    expect(await me(first)).toBe(401);
    expect(await me(sessionOf(client))).toBe(200);
  });

  it("a failed sign-in leaves the presented session alone", async () => {
    const client = browser();
    const email = "failed.sign-in@example.com";
    await verifiedAccount(client, email);
    const session = sessionOf(client);
    const refused = await post(client, "/api/v1/auth/sign-in/", {
      email,
      password: "not the password at all",
    });
    expect(refused.status).toBe(401);
    expect(await me(session)).toBe(200);
  });
});

describe("__Host- cookie names over https", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { APP_URL: "https://otp.example.com" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every product cookie is __Host- prefixed, Secure, Path=/ and without Domain", async () => {
    const client = browser();
    const email = "host-prefix@example.com";
    client.take(await t.post("/api/v1/auth/register/", { email, password: PASSWORD }));
    client.take(
      await t.post(
        "/api/v1/auth/verify-email/",
        { email, otp: await t.codeFor(email) },
        { headers: client.headers() },
      ),
    );
    const names = new Set(client.setCookies.map((c) => c.split("=")[0]));
    expect([...names].sort()).toEqual([
      "__Host-otp_device",
      "__Host-otp_registration",
      "__Host-otp_session",
    ]);
    for (const set of client.setCookies) {
      expect(set).toMatch(/; Secure/);
      expect(set).toMatch(/; Path=\//);
      expect(set).not.toMatch(/Domain=/i);
      expect(set).toMatch(/; HttpOnly/);
    }
    const session = client.cookies.get("__Host-otp_session");
    expect(session).toBeDefined();
    const asHost = await fetch(`${t.url}/api/v1/auth/me/`, {
      headers: { cookie: `__Host-otp_session=${session}` },
    });
    expect(asHost.status).toBe(200);
    // The unprefixed name (which a subdomain or a plain-http page could set) is not read.
    const unprefixed = await fetch(`${t.url}/api/v1/auth/me/`, {
      headers: { cookie: `otp_session=${session}` },
    });
    expect(unprefixed.status).toBe(401);
  });
});
