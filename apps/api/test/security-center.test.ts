/**
 * The security center over real HTTP (issue 14), on PGlite and PostgreSQL:
 * sessions with their context, revoking one, the events page, new-device
 * notices through the outbox, TRUST_PROXY, and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";
const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** A browser's cookie jar, by name: every cookie a response set replaces the one of its name. */
function browser(userAgent: string) {
  const cookies = new Map<string, string>();
  return {
    userAgent,
    cookie: (name: string) => cookies.get(name),
    headers(): Record<string, string> {
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      return { "user-agent": userAgent, ...(cookie === "" ? {} : { cookie }) };
    },
    take(response: Response): Response {
      for (const set of response.headers.getSetCookie()) {
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

describe.each(BACKENDS)("security center over HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = async (client: Browser, path: string, body: unknown) =>
    client.take(await t.post(path, body, { headers: client.headers() }));
  const get = async (client: Browser, path: string) =>
    client.take(await fetch(`${t.url}${path}`, { headers: client.headers() }));

  /** Registers and verifies from `client`, which is then signed in. */
  async function verifiedAccount(client: Browser, email: string): Promise<void> {
    await post(client, "/api/v1/auth/register/", { email, password: PASSWORD });
    // 256 random bits and their HMAC under the device-cookie key (ADR 20).
    expect(client.cookie("otp_device")).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    const verified = await post(client, "/api/v1/auth/verify-email/", {
      email,
      otp: await t.codeFor(email),
    });
    expect(await verified.json()).toMatchObject({ signedIn: true });
  }

  async function newSignInEmails(email: string) {
    return (t.app.mailbox?.list() ?? []).filter(
      (message) => message.to === email && message.subject.startsWith("New sign-in"),
    );
  }

  async function waitForNewSignInEmails(email: string, count: number) {
    const deadline = Date.now() + 10_000;
    while ((await newSignInEmails(email)).length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return newSignInEmails(email);
  }

  it("both routes and the revoke need a session (401), on REST and tRPC", async () => {
    const anonymous = browser(FIREFOX);
    for (const path of ["/api/v1/account/sessions/", "/api/v1/account/security-events/"]) {
      const response = await get(anonymous, path);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
    const revoke = await post(anonymous, "/api/v1/account/sessions/revoke/", {
      sessionId: "00000000-0000-4000-8000-000000000000",
    });
    expect(revoke.status).toBe(401);
    await expect(t.trpc.account.sessions.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
    await expect(t.trpc.account.securityEvents.query({})).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  it("lists the caller's sessions with device, IP and times; revoking one ends it at once and leaves the others", async () => {
    const laptop = browser(FIREFOX);
    const phone = browser(SAFARI);
    const email = "sessions@example.com";
    await verifiedAccount(laptop, email);
    const signedIn = await post(phone, "/api/v1/auth/sign-in/", { email, password: PASSWORD });
    expect(signedIn.status).toBe(200);
    const deviceCookie = signedIn.headers.getSetCookie().find((c) => c.startsWith("otp_device="));
    expect(deviceCookie).toContain("HttpOnly");
    expect(deviceCookie).toContain("SameSite=Lax");
    expect(deviceCookie).toMatch(/Expires=/);

    // Someone else's sessions never show.
    await verifiedAccount(browser(FIREFOX), "someone.else@example.com");

    const listed = await get(laptop, "/api/v1/account/sessions/");
    expect(listed.status).toBe(200);
    const { sessions } = (await listed.json()) as {
      sessions: Array<{ id: string; device: string; ip: string; current: boolean }>;
    };
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ device: "Safari on iOS", ip: "127.0.0.1", current: false });
    expect(sessions[1]).toMatchObject({ device: "Firefox on Windows", current: true });
    expect(Object.keys(sessions[0] ?? {}).sort()).toEqual([
      "createdAt",
      "current",
      "device",
      "id",
      "ip",
      "lastSeenAt",
    ]);
    const phoneSession = sessions[0]?.id ?? "";

    const revoked = await post(laptop, "/api/v1/account/sessions/revoke/", {
      sessionId: phoneSession,
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ sessionId: phoneSession, current: false });
    expect((await get(phone, "/api/v1/auth/me/")).status).toBe(401);
    expect((await get(laptop, "/api/v1/auth/me/")).status).toBe(200);

    // Again, or a made-up id: NOT_FOUND, nothing changes.
    for (const sessionId of [phoneSession, "00000000-0000-4000-8000-000000000000"]) {
      const again = await post(laptop, "/api/v1/account/sessions/revoke/", { sessionId });
      expect(again.status).toBe(404);
      expect(await again.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
    expect((await get(laptop, "/api/v1/auth/me/")).status).toBe(200);

    const events = await get(laptop, "/api/v1/account/security-events/");
    const page = (await events.json()) as { events: Array<{ type: string }> };
    expect(page.events[0]).toMatchObject({ type: "SESSION_REVOKED", device: "Firefox on Windows" });
  });

  it("another account's session id is 404 NOT_FOUND and that session lives on", async () => {
    const alice = browser(FIREFOX);
    const bob = browser(SAFARI);
    await verifiedAccount(alice, "alice.other@example.com");
    await verifiedAccount(bob, "bob.other@example.com");
    const bobSessions = (await (await get(bob, "/api/v1/account/sessions/")).json()) as {
      sessions: Array<{ id: string }>;
    };
    const bobSession = bobSessions.sessions[0]?.id ?? "";
    const refused = await post(alice, "/api/v1/account/sessions/revoke/", {
      sessionId: bobSession,
    });
    expect(refused.status).toBe(404);
    expect((await get(bob, "/api/v1/auth/me/")).status).toBe(200);
  });

  it("revoking this device's own session signs it out (cookie cleared)", async () => {
    const laptop = browser(FIREFOX);
    await verifiedAccount(laptop, "self.revoke@example.com");
    const { sessions } = (await (await get(laptop, "/api/v1/account/sessions/")).json()) as {
      sessions: Array<{ id: string }>;
    };
    const revoked = await post(laptop, "/api/v1/account/sessions/revoke/", {
      sessionId: sessions[0]?.id,
    });
    expect(await revoked.json()).toMatchObject({ current: true });
    expect(laptop.cookie("otp_session")).toBeUndefined();
  });

  it("refuses bad input with 400 and a clear message, never a 500", async () => {
    const laptop = browser(FIREFOX);
    await verifiedAccount(laptop, "bad.input@example.com");
    for (const body of [{ sessionId: "x" }, {}, { sessionId: 1 }, { sessionId: null }]) {
      const response = await post(laptop, "/api/v1/account/sessions/revoke/", body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: "INVALID_INPUT", fieldErrors: { sessionId: [expect.any(String)] } },
      });
    }
    const extra = await post(laptop, "/api/v1/account/sessions/revoke/", {
      sessionId: "00000000-0000-4000-8000-000000000000",
      userId: "someone",
    });
    expect(extra.status).toBe(400);
    for (const query of [
      "?limit=abc",
      "?limit=0",
      "?limit=1000",
      "?cursor=nonsense",
      "?other=1",
      "?limit=1&limit=2",
    ]) {
      const response = await get(laptop, `/api/v1/account/security-events/${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "INVALID_INPUT" } });
    }
    const sessionsWithQuery = await get(laptop, "/api/v1/account/sessions/?x=1");
    expect(sessionsWithQuery.status).toBe(400);
  });

  it("pages the events newest first through nextCursor", async () => {
    const laptop = browser(FIREFOX);
    const email = "paging@example.com";
    await verifiedAccount(laptop, email);
    await post(laptop, "/api/v1/auth/sign-in/", { email, password: "wrong password, twice over" });
    await post(laptop, "/api/v1/auth/sign-in/", { email, password: PASSWORD });
    const seen: string[] = [];
    let path = "/api/v1/account/security-events/?limit=2";
    for (let pages = 0; pages < 5; pages++) {
      const page = (await (await get(laptop, path)).json()) as {
        events: Array<{ id: string; type: string; at: string }>;
        nextCursor: string | null;
      };
      seen.push(...page.events.map((e) => e.type));
      if (page.nextCursor === null) break;
      path = `/api/v1/account/security-events/?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toHaveLength(4);
    expect(seen.slice(0, 2)).toEqual(["SIGNED_IN", "SIGN_IN_BLOCKED"]);
    expect(seen.slice(2).sort()).toEqual(["EMAIL_VERIFIED", "SIGNED_IN"]);
  });

  it("emails a new-sign-in notice for a new device, through the outbox, and none for a known one", async () => {
    const laptop = browser(FIREFOX);
    const email = "notice@example.com";
    await verifiedAccount(laptop, email);
    // The device that verified the address is known: signing in again from it sends nothing.
    await post(laptop, "/api/v1/auth/sign-in/", { email, password: PASSWORD });
    const phone = browser(SAFARI);
    await post(phone, "/api/v1/auth/sign-in/", { email, password: PASSWORD });
    const [notice, ...more] = await waitForNewSignInEmails(email, 1);
    expect(more).toHaveLength(0);
    expect(notice?.text).toContain("Safari on iOS");
    expect(notice?.text).toContain("127.0.0.1");
    expect(notice?.text).toContain("/account");
    // The phone is known now, by its device cookie; by code as well.
    await post(phone, "/api/v1/auth/sign-in/", { email, password: PASSWORD });
    await post(phone, "/api/v1/auth/sign-in-code/", { email });
    const code = await t.codeFor(email, "SIGN_IN");
    expect(
      (await post(phone, "/api/v1/auth/sign-in-code/verify/", { email, otp: code })).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await newSignInEmails(email)).toHaveLength(1);
  });
});

describe("client address behind a proxy (TRUST_PROXY)", () => {
  // A client wrote the leftmost entry; the load balancer appended the address it saw.
  const forwardedFor = "203.0.113.66, 198.51.100.9";
  const cases: Array<[string | undefined, string]> = [
    [undefined, "127.0.0.1"],
    ["1", "198.51.100.9"],
    ["127.0.0.0/8, 10.0.0.0/8", "198.51.100.9"],
  ];
  // Each case starts an app of its own: allow for a loaded machine.
  it.each(cases)(
    "TRUST_PROXY=%s records %s",
    async (setting, expected) => {
      const t = await startTestApp("pglite", setting === undefined ? {} : { TRUST_PROXY: setting });
      try {
        const email = `proxy.${String(setting).replace(/[^a-z0-9]/gi, "")}@example.com`;
        const headers = { "user-agent": FIREFOX, "x-forwarded-for": forwardedFor };
        const registered = await t.post(
          "/api/v1/auth/register/",
          { email, password: PASSWORD },
          { headers },
        );
        const binding = registered.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; ");
        const verified = await t.post(
          "/api/v1/auth/verify-email/",
          { email, otp: await t.codeFor(email) },
          { headers: { ...headers, cookie: binding } },
        );
        const session = verified.headers
          .getSetCookie()
          .find((c) => c.startsWith("otp_session="))
          ?.split(";")[0];
        const listed = await fetch(`${t.url}/api/v1/account/sessions/`, {
          headers: { ...headers, cookie: session ?? "" },
        });
        const { sessions } = (await listed.json()) as { sessions: Array<{ ip: string }> };
        expect(sessions[0]?.ip).toBe(expected);
      } finally {
        await t.close();
      }
    },
    90_000,
  );
});
