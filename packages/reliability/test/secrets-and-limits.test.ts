/**
 * Secrets and limits, with the API at LOG_LEVEL=trace and its default per-IP
 * limits on: no code, password or secret in any log line, even on error paths
 * and with secrets in a URL; codes at rest only as an HMAC under a key derived
 * from APP_SECRET; outbox payloads sealed; passwords as argon2id; codes
 * uniform over 10^8; the per-IP limit and the per-address send cap answer 429,
 * the latter identically for addresses with and without an account.
 */

import { createHash, createHmac } from "node:crypto";
import { restPath, TRPC_PREFIX, trpcPath } from "@otp/api";
import { deriveKeys, generateCode, hashCode, openOutboxPayload } from "@otp/core/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, childLogSources } from "../src/api-process.js";
import { NO_VIOLATIONS, violationsOf } from "../src/database.js";
import { RUN_SECRETS, SERVER_URL } from "../src/environment.js";
import {
  type Answer,
  REST,
  register,
  registrationCookieOf,
  request,
  resendCode,
  sessionCookieOf,
  TRPC,
  verifyEmail,
  waitFor,
} from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";
import { SecretLedger } from "../src/secrets.js";

describe.skipIf(SERVER_URL === undefined)(
  "secrets and limits (PostgreSQL, LOG_LEVEL=trace)",
  () => {
    let s: Scenario;
    let api: ApiProcess;
    const all: Answer[] = [];
    const keys = deriveKeys(RUN_SECRETS.appSecret);
    /** The secrets the URL test sends in query strings (reported there, not again at the end). */
    const urlNeedles: string[] = [];

    beforeAll(async () => {
      s = await createScenario("secrets-and-limits");
      api = await s.startApi("api", { LOG_LEVEL: "trace" });
    });

    afterAll(async () => {
      await s?.close();
    });

    it("every flow and error path at LOG_LEVEL=trace leaves no code, password or secret in the logs", async () => {
      const email = s.address("flow");
      const password = s.password();
      all.push(await register(api.url, "rest", email, password));
      const first = await s.liveCode(email);
      all.push(
        await verifyEmail(api.url, "rest", email, first === "00000000" ? "00000001" : "00000000"),
      );
      all.push(await resendCode(api.url, "trpc", email));
      const second = await s.liveCode(email);
      // Error paths that carry a secret in the request: malformed JSON, a wrong
      // content type, an oversized body, an extra field, a spaced code.
      all.push(
        await request(api.url, REST.register, undefined, {
          raw: `{"email":"${email}","password":"${password}"`,
          headers: { "content-type": "application/json" },
        }),
      );
      all.push(
        await request(api.url, REST.verifyEmail, undefined, {
          raw: `email=${email}&otp=${second}`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
      );
      all.push(
        await request(api.url, REST.register, {
          email,
          password,
          padding: `${password} ${second} `.repeat(2_000),
        }),
      );
      all.push(await request(api.url, REST.verifyEmail, { email, otp: second, extra: second }));
      all.push(
        await request(api.url, TRPC.verifyEmail, {
          email,
          code: `${second.slice(0, 4)} ${second.slice(4)}`,
        }),
      );
      const [verified] = await s.db.sql<
        Array<{ is_verified: boolean }>
      >`SELECT is_verified FROM users WHERE email = ${email}`;
      expect(verified?.is_verified).toBe(true);
      // A verified account asking for a password-reset code gets one.
      all.push(await resendCode(api.url, "rest", email));
      all.push(await request(api.url, REST.resendOtp, { email, codeType: "PASSWORD_RESET" }));
      await s.liveCode(email, { codeType: "PASSWORD_RESET" });

      await waitFor("the logs to show delivery", () => api.stdout().includes("email sent"));
      const ledger = new SecretLedger();
      for (const code of s.sink.arrivals.flatMap((a) => (a.code === null ? [] : [a.code])))
        ledger.add("code", code);
      ledger.add("password", password);
      const scan = ledger.scan(childLogSources());
      s.figures.traceFlow = {
        logBytes: api.stdout().length,
        codes: ledger.codes().length,
        leaks: scan.leaks.length,
      };
      expect(scan.leaks).toEqual([]);
      expect(api.stdout()).toContain("passcode issued");
    });

    it("a code or password sent in a URL query string is not logged either", async () => {
      const email = s.address("url");
      const password = s.password();
      all.push(await register(api.url, "trpc", email, password));
      const code = await s.liveCode(email);
      const urlPassword = s.password();
      const calls = [
        `${TRPC.verifyEmail}?input=${encodeURIComponent(JSON.stringify({ email, code }))}`,
        `${TRPC.register}?input=${encodeURIComponent(JSON.stringify({ email: s.address("url2"), password: urlPassword }))}`,
        `${REST.verifyEmail}?otp=${code}`,
      ];
      for (const path of calls)
        all.push(await request(api.url, path, undefined, { method: "GET" }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The requests were logged (so the scan below looked at their lines): the access line
      // names the matched route pattern, never the path or its query string.
      expect(api.stdout()).toContain(`"route":"${TRPC_PREFIX}/:path"`);
      expect(api.stdout()).toContain(`"route":"${REST.verifyEmail}"`);
      const ledger = new SecretLedger();
      ledger.add("code", code);
      ledger.add("password", urlPassword);
      urlNeedles.push(code, urlPassword);
      const scan = ledger.scan(childLogSources());
      s.figures.urlSecrets = {
        requests: calls.length,
        leaks: scan.leaks.map((l) => ({ kind: l.kind, context: l.context.slice(0, 240) })),
      };
      expect(scan.leaks.map((l) => `${l.kind}: ${l.context}`)).toEqual([]);
    });

    it("codes at rest are an HMAC-SHA256 under a key derived from APP_SECRET: not the code, not a bare hash, not keyed by the secret itself", async () => {
      const email = s.address("at-rest");
      all.push(await register(api.url, "rest", email, s.password()));
      const code = await s.liveCode(email);
      const [row] = await s.db.sql<Array<{ user_id: string; code_hash: string }>>`
      SELECT p.user_id, p.code_hash FROM passcodes p JOIN users u ON u.id = p.user_id WHERE u.email = ${email}`;
      const binding = `v1\x1f${row?.user_id}\x1fVERIFICATION\x1f${code}`;
      expect(row?.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row?.code_hash).toBe(
        hashCode(keys.codeHmac, { userId: row?.user_id ?? "", codeType: "VERIFICATION", code }),
      );
      expect(row?.code_hash).not.toBe(createHash("sha256").update(code).digest("hex"));
      expect(row?.code_hash).not.toBe(
        createHmac("sha256", RUN_SECRETS.appSecret).update(binding).digest("hex"),
      );
      expect(row?.code_hash).not.toContain(code);
    });

    it("outbox payloads are sealed (AES-256-GCM, bound to the row) while pending and scrubbed once sent", async () => {
      await s.sink.stop(); // keep the row pending
      const email = s.address("sealed");
      all.push(await register(api.url, "rest", email, s.password()));
      const [pending] = await s.db.sql<Array<{ id: string; payload: Buffer; status: string }>>`
      SELECT o.id, o.payload, o.status::text AS status FROM email_outbox o
      JOIN passcodes p ON p.id = o.passcode_id JOIN users u ON u.id = p.user_id WHERE u.email = ${email}`;
      expect(pending?.status).toBe("PENDING");
      const payload = pending?.payload ?? Buffer.alloc(0);
      const opened = openOutboxPayload(keys.outboxEncryption, pending?.id ?? "", payload);
      expect(opened.to).toBe(email);
      expect(payload.includes(Buffer.from(email))).toBe(false);
      expect(payload.includes(Buffer.from(opened.code ?? "x"))).toBe(false);
      // Bound to its row: the same bytes do not open under another row's id.
      expect(() =>
        openOutboxPayload(keys.outboxEncryption, "00000000-0000-4000-8000-000000000000", payload),
      ).toThrow();
      await s.sink.start();
      const code = await s.liveCode(email, { timeoutMs: 40_000 });
      expect(code).toBe(opened.code);
      const sent = await waitFor("the row to be settled", async () => {
        const [row] = await s.db.sql<Array<{ status: string; payload: Buffer | null }>>`
        SELECT status::text AS status, payload FROM email_outbox WHERE id = ${pending?.id ?? ""}`;
        return row?.status === "PENDING" ? null : row;
      });
      expect(sent).toEqual({ status: "SENT", payload: null });
    });

    it("passwords are stored as argon2id (19 MiB, 2 passes, 1 lane)", async () => {
      // Active passwords, and those registrations are waiting to activate (ADR 10).
      const hashes = await s.db.sql<Array<{ password_hash: string }>>`
        SELECT password_hash FROM users WHERE password_hash IS NOT NULL
        UNION ALL
        SELECT pending_password_hash FROM passcodes WHERE pending_password_hash IS NOT NULL`;
      expect(hashes.length).toBeGreaterThan(0);
      for (const { password_hash } of hashes)
        expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it("session tokens: httpOnly cookies, stored only as a hash, never logged; a signed-out token stops working", async () => {
      const email = s.address("session");
      const password = s.password();
      const registered = await register(api.url, "rest", email, password);
      all.push(registered);
      // The same client verifies: its password becomes active and it is signed in (ADR 10).
      const verified = await verifyEmail(
        api.url,
        "rest",
        email,
        await s.liveCode(email),
        registrationCookieOf(registered),
      );
      all.push(verified);
      const verifiedToken = sessionCookieOf(verified) ?? "";
      expect(verifiedToken.length).toBeGreaterThanOrEqual(32);
      const signIns: Answer[] = [
        await request(api.url, restPath("auth.signIn"), { email, password }),
        await request(api.url, trpcPath("auth.signIn"), { email, password }),
      ];
      all.push(await request(api.url, restPath("auth.requestSignInCode"), { email }));
      const signInCode = await s.liveCode(email, { codeType: "SIGN_IN" });
      signIns.push(
        await request(api.url, restPath("auth.signInWithCode"), { email, otp: signInCode }),
      );
      all.push(...signIns);
      expect(signIns.map((a) => a.status)).toEqual([200, 200, 200]);
      const tokens = signIns.map((a) => sessionCookieOf(a) ?? "");
      expect(tokens.every((t) => t.length >= 32)).toBe(true);
      expect(new Set(tokens).size).toBe(3);
      const cookie =
        signIns[0]?.headers.getSetCookie().find((c) => c.startsWith("otp_session=")) ?? "";
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);

      const me = (token: string, path = restPath("auth.me")) =>
        request(api.url, path, undefined, {
          method: "GET",
          headers: { cookie: `otp_session=${token}` },
        });
      const first = tokens[0] ?? "";
      expect((await me(first)).status).toBe(200);
      expect((await me(tokens[1] ?? "", trpcPath("auth.me"))).status).toBe(200);
      all.push(
        await request(
          api.url,
          restPath("auth.signOut"),
          {},
          { headers: { cookie: `otp_session=${first}` } },
        ),
      );
      expect((await me(first)).status).toBe(401);

      // Stored as a digest of the token, never the token.
      const stored = await s.db.sql<Array<{ token_hash: string }>>`
      SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${email}`;
      // The two sign-ins still live, and the session the bound verification opened (ADR 10).
      expect(stored).toHaveLength(3);
      for (const { token_hash } of stored) {
        expect(tokens.some((t) => token_hash.includes(t))).toBe(false);
        const digests = [...tokens.slice(1), verifiedToken].flatMap((t) => [
          createHash("sha256").update(t).digest("hex"),
          createHash("sha256").update(t).digest("base64url"),
        ]);
        expect(digests).toContain(token_hash);
      }

      const ledger = new SecretLedger();
      for (const token of tokens) ledger.add("session-token", token);
      ledger.add("password", password);
      ledger.add("code", signInCode);
      const scan = ledger.scan(childLogSources());
      s.figures.sessions = { tokens: tokens.length, leaks: scan.leaks.length };
      expect(scan.leaks).toEqual([]);
    });

    it("codes are uniform: 40 000 codes, every digit position passes a chi-square test", () => {
      const codes = Array.from({ length: 40_000 }, () => generateCode(8));
      const worst = { position: -1, chi2: 0 };
      for (let position = 0; position < 8; position++) {
        const counts = Array(10).fill(0) as number[];
        for (const code of codes) {
          const digit = Number(code[position]);
          counts[digit] = (counts[digit] ?? 0) + 1;
        }
        const expected = codes.length / 10;
        const chi2 = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
        if (chi2 > worst.chi2) Object.assign(worst, { position, chi2 });
      }
      s.figures.uniformity = {
        codes: codes.length,
        worstChiSquare: Number(worst.chi2.toFixed(2)),
        criticalAt1e4: 33.72,
      };
      // 9 degrees of freedom: P(chi2 > 33.72) = 1e-4 for a uniform source.
      expect(worst.chi2).toBeLessThan(33.72);
    });

    it("the per-address send cap (10 an hour) answers the same 429 whether or not the address has an account", async () => {
      const known = s.address("cap-known");
      all.push(await register(api.url, "rest", known, s.password()));
      const unknown = s.address("cap-unknown");
      const answersFor = async (email: string) => {
        const answers: Answer[] = [];
        for (let i = 0; i < 11; i++) answers.push(await resendCode(api.url, "rest", email));
        all.push(...answers);
        return answers;
      };
      const knownAnswers = await answersFor(known); // 1 send already spent by register
      const unknownAnswers = await answersFor(unknown);
      expect(knownAnswers.map((a) => a.status)).toEqual([...Array(9).fill(200), 429, 429]);
      expect(unknownAnswers.map((a) => a.status)).toEqual([...Array(10).fill(200), 429]);
      const last = (answers: Answer[], email: string) => {
        const body = (answers.at(-1)?.json ?? {}) as {
          error?: { code?: string; message?: string };
        };
        return {
          status: answers.at(-1)?.status,
          code: body.error?.code,
          message: body.error?.message,
          email: email === "",
        };
      };
      expect(last(knownAnswers, "")).toEqual(last(unknownAnswers, ""));
      expect(knownAnswers.at(-1)?.errorCode).toBe("SEND_LIMIT_REACHED");
    });

    it("the per-IP guessing limit (30 a minute) answers 429 RATE_LIMITED, on REST and on tRPC", async () => {
      const rest: Answer[] = [];
      for (let i = 0; i < 35; i++)
        rest.push(await verifyEmail(api.url, "rest", s.address("ip"), "12345678"));
      // The budget is spent now (it is per IP, whichever surface spends it): tRPC must be refused
      // too, for code guesses (auth.verifyEmail) and password guesses (auth.signIn) alike.
      const trpc: Answer[] = [];
      for (let i = 0; i < 5; i++)
        trpc.push(await verifyEmail(api.url, "trpc", s.address("ip"), "12345678"));
      for (let i = 0; i < 5; i++) {
        trpc.push(
          await request(api.url, TRPC.signIn, {
            email: s.address("ip"),
            password: "wrong password",
          }),
        );
      }
      all.push(...rest, ...trpc);
      const limited = rest.filter((a) => a.errorCode === "RATE_LIMITED");
      s.figures.perIpGuessing = {
        rest: { requests: rest.length, rateLimited: limited.length },
        trpcVerifyEmailAfterBudgetSpent: trpc.slice(0, 5).map((a) => `${a.status} ${a.errorCode}`),
        trpcSignInAfterBudgetSpent: trpc.slice(5).map((a) => `${a.status} ${a.errorCode}`),
      };
      expect(limited.length).toBeGreaterThanOrEqual(5);
      expect(rest.filter((a) => a.status !== 429).length).toBeLessThanOrEqual(30);
      expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(trpc.map((a) => a.errorCode)).toEqual(trpc.map(() => "RATE_LIMITED"));
    });

    it("never answered 5xx; the invariants hold; no secret anywhere in the logs, answers or database", async () => {
      expect(all.filter((a) => a.status >= 500)).toEqual([]);
      s.figures.requests = all.length;
      // The URL test reports its own secrets; every other one is checked here.
      for (const needle of urlNeedles) s.exempt(needle);
      const { invariants, plaintext, leaks } = await s.closingChecks();
      expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
      expect(plaintext.hits).toEqual([]);
      expect(leaks.leaks).toEqual([]);
    });
  },
);
