/**
 * THE behaviour of the edge, as one suite run against every host of it: the
 * Fetch handler of `createOtp` (packages/server/test) and the standalone
 * server over HTTP (apps/api/test), on PGlite and PostgreSQL. A host that
 * answered differently (a body, a cookie, a status, a limit, an envelope)
 * fails here, so the two cannot drift apart.
 */
import type { TestBackend } from "@otp/core/testing";
import type { MailTransport, OutgoingMail } from "@otp/email";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

export type CodeType = "VERIFICATION" | "PASSWORD_RESET" | "SIGN_IN" | "EMAIL_CHANGE";

/** One host of the edge, started over a fresh database. */
export interface EdgeTarget {
  /** A request to a path of the edge (`/api/v1/...`, `/trpc/...`), from one loopback client. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** The live code emailed to `email`, read from what was delivered. */
  codeFor(email: string, codeType?: CodeType): Promise<string>;
  /** Makes the database unreachable (closes it) for the rest of the test. */
  breakDatabase(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a host with these settings, named as the environment variables
 * (`RATE_LIMIT_SEND_PER_HOUR`); createOtp's hosts pass them as its options.
 */
export type StartTarget = (
  backend: TestBackend,
  settings: Record<string, string>,
) => Promise<EdgeTarget>;

/** A browser's cookie store, for one client. */
export class CookieClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly target: () => EdgeTarget) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set(
        "cookie",
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      );
    }
    const response = await this.target().request(path, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (value === "" || expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.trim());
    }
    return response;
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }
}

/** Every mail a transport was handed, in order: for hosts that embed the product in tests. */
export function recordingTransport(): MailTransport & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return {
    sent,
    async send(mail) {
      sent.push(mail);
      return { messageId: `recorded-${sent.length}` };
    },
    async close() {},
  };
}

const PASSWORD = "a long and unusual passphrase 42";

/** A JSON answer, read field by field by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions are the type check of these bodies
type Json = Record<string, any>;

export function defineEdgeSuite(host: string, backends: TestBackend[], start: StartTarget): void {
  describe.each(backends)(`the edge through ${host} (%s)`, (backend) => {
    // One host for the tests that only read their own addresses (PGlite's start and
    // migrations take seconds on a busy machine); the limits and the fault get their own.
    let target: EdgeTarget;
    const client = () => new CookieClient(() => target);
    const json = async (response: Response) => (await response.json()) as Json;

    beforeAll(async () => {
      target = await start(backend, {});
      // One registration of an address no test uses, asked again while it answers 503 (as the
      // answer's Retry-After says): a cold process (JIT, argon2's threads, the database's
      // first plans) can take the first request past the deadline on a loaded machine.
      for (let attempt = 0; attempt < 10; attempt++) {
        const warm = await client().post("/api/v1/auth/register/", {
          email: "warm-up@example.com",
          password: PASSWORD,
        });
        if (warm.status !== 503) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
    afterAll(async () => {
      await target?.close();
    });

    it("registers, verifies from the registering client (binding cookie) and signs in: the seed's three REST flows", async () => {
      const browser = client();
      const registered = await browser.post("/api/v1/auth/register/", {
        email: "ada@example.com",
        password: PASSWORD,
      });
      expect(registered.status).toBe(201);
      expect(await json(registered)).toEqual({
        email: "ada@example.com",
        detail: "Check your email for a verification code.",
      });
      const setCookies = registered.headers.getSetCookie().join("\n");
      expect(setCookies).toMatch(/otp_registration=[^;]+;.*HttpOnly/i);
      expect(setCookies).toMatch(/otp_registration=[^\n]*SameSite=Strict/i);
      expect(setCookies).toMatch(/otp_device=[^\n]*SameSite=Lax/i);

      const resent = await browser.post("/api/v1/auth/resend-otp/", { email: "ada@example.com" });
      expect(resent.status).toBe(200);
      const unknown = await client().post("/api/v1/auth/resend-otp/", {
        email: "nobody@example.com",
      });
      expect(await json(unknown)).toEqual({ ...(await json(resent)), email: "nobody@example.com" });

      const code = await target.codeFor("ada@example.com");
      const verified = await browser.post("/api/v1/auth/verify-email/", {
        email: "ada@example.com",
        otp: code,
      });
      expect(verified.status).toBe(200);
      expect(await json(verified)).toMatchObject({
        email: "ada@example.com",
        verified: true,
        signedIn: true,
        passwordActive: true,
      });
      expect(browser.cookies.has("otp_session")).toBe(true);
      expect(browser.cookies.has("otp_registration")).toBe(false);

      const me = await browser.request("/api/v1/auth/me/");
      expect(me.status).toBe(200);
      expect(await json(me)).toMatchObject({ email: "ada@example.com", isVerified: true });

      const elsewhere = client();
      const signedIn = await elsewhere.post("/api/v1/auth/sign-in/", {
        email: "ada@example.com",
        password: PASSWORD,
      });
      expect(signedIn.status).toBe(200);
      expect(elsewhere.cookies.has("otp_session")).toBe(true);
      const signedOut = await elsewhere.post("/api/v1/auth/sign-out/", {});
      expect(signedOut.status).toBe(200);
      expect(elsewhere.cookies.has("otp_session")).toBe(false);
      expect((await elsewhere.request("/api/v1/auth/me/")).status).toBe(401);
    });

    it("a code used from another client verifies the address without activating the password (ADR 10)", async () => {
      await client().post("/api/v1/auth/register/", {
        email: "bo@example.com",
        password: PASSWORD,
      });
      const code = await target.codeFor("bo@example.com");
      const other = client();
      const verified = await other.post("/api/v1/auth/verify-email/", {
        email: "bo@example.com",
        otp: code,
      });
      expect(verified.status).toBe(200);
      expect(await json(verified)).toMatchObject({ signedIn: false, passwordActive: false });
      expect(other.cookies.has("otp_session")).toBe(false);
    });

    it("serves the tRPC procedures: queries, mutations, batches, cookies and error envelopes", async () => {
      const browser = client();
      const rules = await browser.request("/trpc/auth.rules");
      expect(rules.status).toBe(200);
      expect((await json(rules)).result.data).toMatchObject({ codeLength: 8, appName: "OTP" });

      const registered = await browser.post("/trpc/auth.register", {
        email: "cy@example.com",
        password: PASSWORD,
      });
      expect(registered.status).toBe(200);
      expect(browser.cookies.has("otp_registration")).toBe(true);
      const code = await target.codeFor("cy@example.com");
      const wrong = await browser.post("/trpc/auth.verifyEmail", {
        email: "cy@example.com",
        code: code === "00000000" ? "11111111" : "00000000",
      });
      expect(wrong.status).toBe(400);
      expect((await json(wrong)).error.data).toMatchObject({
        code: "OTP_INVALID",
        attemptsLeft: 4,
      });
      const verified = await browser.post("/trpc/auth.verifyEmail", {
        email: "cy@example.com",
        code,
      });
      expect((await json(verified)).result.data).toMatchObject({ signedIn: true });

      const batch = await browser.request("/trpc/auth.me,auth.rules?batch=1&input=%7B%7D");
      expect(batch.status).toBe(200);
      const [me, again] = (await batch.json()) as Json[];
      expect(me?.result.data.email).toBe("cy@example.com");
      expect(again?.result.data.codeLength).toBe(8);

      const anonymous = await client().request("/trpc/auth.me");
      expect(anonymous.status).toBe(401);
      expect((await json(anonymous)).error.data).toMatchObject({ code: "UNAUTHORIZED" });
    });

    it("answers 400 with field errors on bad input, 415 on another media type, 404 elsewhere", async () => {
      const browser = client();
      const invalid = await browser.post("/api/v1/auth/register/", { email: "no", password: "x" });
      expect(invalid.status).toBe(400);
      const body = await json(invalid);
      expect(body.error.code).toBe("INVALID_INPUT");
      expect(Object.keys(body.error.fieldErrors).sort()).toEqual(["email", "password"]);

      const extra = await browser.post("/api/v1/auth/verify-email/", {
        email: "a@example.com",
        otp: "12345678",
        admin: true,
      });
      expect(extra.status).toBe(400);
      expect((await json(extra)).error.fieldErrors).toEqual({
        admin: ["This field is not accepted here."],
      });

      const renamed = await browser.post("/api/v1/auth/verify-email/", {
        email: "a@example.com",
        otp: "12",
      });
      expect((await json(renamed)).error.fieldErrors).toHaveProperty("otp");

      const broken = await browser.post("/api/v1/auth/sign-in/", "{not json");
      expect(broken.status).toBe(400);
      expect((await json(broken)).error.code).toBe("INVALID_JSON");

      const text = await browser.post("/api/v1/auth/sign-in/", "email=a", {
        "content-type": "text/plain",
      });
      expect(text.status).toBe(415);
      expect((await json(text)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");

      const trpcInvalid = await browser.post("/trpc/auth.signIn", { email: "no" });
      expect(trpcInvalid.status).toBe(400);
      expect((await json(trpcInvalid)).error.data.code).toBe("INVALID_INPUT");

      const nowhere = await browser.request("/api/v1/nothing/");
      expect(nowhere.status).toBe(404);
      expect((await json(nowhere)).error.code).toBe("NOT_FOUND");
    });

    describe("per-IP limits", () => {
      let shared: EdgeTarget;
      beforeAll(async () => {
        shared = target;
        target = await start(backend, {
          RATE_LIMIT_SEND_PER_HOUR: "2",
          RATE_LIMIT_VERIFY_PER_MINUTE: "3",
        });
      });
      afterAll(async () => {
        await target.close();
        target = shared;
      });

      it("refuse the client past its budget, REST and tRPC alike, with Retry-After", async () => {
        const browser = client();
        const sends = [
          await browser.post("/api/v1/auth/resend-otp/", { email: "a@example.com" }),
          await browser.post("/trpc/auth.resendCode", { email: "b@example.com" }),
        ];
        expect(sends.map((r) => r.status)).toEqual([200, 200]);
        const refused = await browser.post("/api/v1/auth/resend-otp/", { email: "c@example.com" });
        expect(refused.status).toBe(429);
        expect((await json(refused)).error.code).toBe("RATE_LIMITED");
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
        const refusedTrpc = await browser.post("/trpc/auth.requestSignInCode", {
          email: "d@example.com",
        });
        expect(refusedTrpc.status).toBe(429);
        expect((await json(refusedTrpc)).error.data.code).toBe("RATE_LIMITED");

        // The guessing budget is its own.
        const guesses = [];
        for (let i = 0; i < 4; i++) {
          guesses.push(
            (
              await browser.post("/api/v1/auth/sign-in/", {
                email: "a@example.com",
                password: PASSWORD,
              })
            ).status,
          );
        }
        expect(guesses).toEqual([401, 401, 401, 429]);
      });
    });

    it("answers 503 SERVICE_UNAVAILABLE when the database is gone, on both surfaces", async () => {
      const shared = target;
      target = await start(backend, {});
      try {
        await target.breakDatabase();
        const browser = client();
        const rest = await browser.post("/api/v1/auth/sign-in/", {
          email: "a@example.com",
          password: PASSWORD,
        });
        expect(rest.status).toBe(503);
        expect(rest.headers.get("retry-after")).toBe("1");
        expect((await json(rest)).error.code).toBe("SERVICE_UNAVAILABLE");
        const trpc = await browser.post("/trpc/auth.resendCode", { email: "a@example.com" });
        expect(trpc.status).toBe(503);
        expect(trpc.headers.get("retry-after")).toBe("1");
        expect((await json(trpc)).error.data.code).toBe("SERVICE_UNAVAILABLE");
      } finally {
        await target.close();
        target = shared;
      }
    }, 120_000);
  });
}
