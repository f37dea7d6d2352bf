/**
 * The per-address password budget and the cap on consecutive failures, run
 * on every backend with an injected clock.
 */
import { describe, expect, it } from "vitest";
import {
  latestCodeFor,
  readOutbox,
  securityEventClients,
  T0,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  unlockTokenHashes,
  wrongCode,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";

const OWNER = "owner@example.com";
const GHOST = "ghost@example.com";
const PASSWORD = "correct horse battery staple";
const WRONG = "not the password at all";
const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

export function defineLockoutContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  // A generous send cap: these tests request many codes.
  defineServiceSuite(
    backend,
    serverUrl,
    (suite) => {
      ({ database, clock, service } = suite);
    },
    () => ({ policy: { maxSendsPerWindow: 1000 } }),
  );

  async function verifiedOwner(): Promise<void> {
    const registered = await service.register({ email: OWNER, password: PASSWORD });
    if (!registered.ok) throw new Error(registered.error.code);
    const verified = await service.verifyEmail(
      { email: OWNER, code: await latestCodeFor(database, TEST_SECRET, OWNER) },
      { bindingToken: registered.value.bindingToken },
    );
    if (!verified.ok || !verified.value.passwordActive) throw new Error("not verified");
  }

  const outboxOf = async (kind: string) =>
    (await readOutbox(database, TEST_SECRET)).filter((row) => row.kind === kind);
  const signIn = (email: string, password: string) =>
    service.signIn({ email, password }, { ip: "203.0.113.7", userAgent: FIREFOX });
  const answerOf = (result: Awaited<ReturnType<OtpService["signIn"]>>) =>
    result.ok
      ? "ok"
      : `${result.error.code}${result.error.retryAt ? ` until ${result.error.retryAt.toISOString()}` : ""}`;

  describe(`password budget (${backend})`, () => {
    it("10 wrong passwords per 15 minutes; then 429 TOO_MANY_ATTEMPTS with retryAt even for the right one; open again after the window", async () => {
      await verifiedOwner();
      for (let i = 1; i <= 10; i++) {
        expect(answerOf(await signIn(OWNER, WRONG))).toBe("INVALID_CREDENTIALS");
        clock.advanceSeconds(10);
      }
      const refused = await signIn(OWNER, PASSWORD);
      expect(refused).toMatchObject({ ok: false, error: { code: "TOO_MANY_ATTEMPTS" } });
      expect(!refused.ok && refused.error.retryAt?.toISOString()).toBe("2025-12-01T11:45:00.000Z");
      clock.set(new Date("2025-12-01T11:45:00.000Z"));
      expect((await signIn(OWNER, PASSWORD)).ok).toBe(true);
    });

    it("a right password gives its unit back", async () => {
      await verifiedOwner();
      for (let i = 1; i <= 9; i++) await signIn(OWNER, WRONG);
      expect((await signIn(OWNER, PASSWORD)).ok).toBe(true);
      expect(answerOf(await signIn(OWNER, WRONG))).toBe("INVALID_CREDENTIALS");
      expect(answerOf(await signIn(OWNER, PASSWORD))).toMatch(/^TOO_MANY_ATTEMPTS until/);
    });

    it("an unknown address is counted and answered exactly alike", async () => {
      await verifiedOwner();
      const owner: string[] = [];
      const ghost: string[] = [];
      for (let i = 1; i <= 12; i++) {
        owner.push(answerOf(await signIn(OWNER, WRONG)));
        ghost.push(answerOf(await signIn(GHOST, WRONG)));
        clock.advanceSeconds(1);
      }
      expect(ghost).toEqual(owner);
      expect(owner.slice(10)).toEqual([
        "TOO_MANY_ATTEMPTS until 2025-12-01T11:45:00.000Z",
        "TOO_MANY_ATTEMPTS until 2025-12-01T11:45:00.000Z",
      ]);
    });

    it("the owner is told once per window (time, IP, browser and system), through the outbox; nothing for an unknown address", async () => {
      await verifiedOwner();
      for (let i = 1; i <= 14; i++) await signIn(OWNER, WRONG);
      for (let i = 1; i <= 14; i++) await signIn(GHOST, WRONG);
      const notices = await outboxOf("PASSWORD_LIMIT_REACHED");
      expect(notices).toHaveLength(1);
      expect(notices[0]?.message).toMatchObject({
        to: OWNER,
        attempt: {
          at: T0.toISOString(),
          ip: "203.0.113.7",
          browser: "Firefox 133.0",
          os: "Windows 10",
        },
      });
      // The next window runs out too: a second notice, and only one.
      clock.advanceSeconds(900);
      for (let i = 1; i <= 12; i++) await signIn(OWNER, WRONG);
      expect(await outboxOf("PASSWORD_LIMIT_REACHED")).toHaveLength(2);
    });
  });

  describe(`attacker text in the owner's notices (${backend})`, () => {
    // Issue 23, finding 6: what a client writes in its User-Agent reaches the owner only as a
    // recognised browser and system name.
    const CRAFTED = [
      "URGENT/1.0 your account is compromised, call +1 555 0100 now, visit https://evil.example/fix",
      "URGENT: your account is compromised, call +1 555 0100 now, visit https://evil.example/fix",
      "Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/133.0 CALL-555-0100-VISIT-https://evil.example",
    ];

    it("a crafted User-Agent reaches neither the 'too many wrong passwords' email nor the activity", async () => {
      await verifiedOwner();
      const [first, second, third] = CRAFTED as [string, string, string];
      const wrong = (userAgent: string) =>
        service.signIn({ email: OWNER, password: WRONG }, { ip: "203.0.113.7", userAgent });
      for (let i = 1; i <= 9; i++) await wrong(second);
      await wrong(first);
      const notices = await outboxOf("PASSWORD_LIMIT_REACHED");
      expect(notices).toHaveLength(1);
      expect(notices[0]?.message?.attempt).toEqual({
        at: T0.toISOString(),
        ip: "203.0.113.7",
        browser: "an unknown browser",
        os: "unknown",
      });
      clock.advanceSeconds(900);
      for (let i = 1; i <= 10; i++) await wrong(third);
      const [, later] = await outboxOf("PASSWORD_LIMIT_REACHED");
      // A known browser keeps its name and version; the rest of the header is dropped.
      expect(later?.message?.attempt).toMatchObject({ browser: "Firefox 133.0", os: "Windows 10" });
      clock.advanceSeconds(900);
      const signedIn = await service.signIn({ email: OWNER, password: PASSWORD });
      if (!signedIn.ok) throw new Error(signedIn.error.code);
      const page = await service.securityEvents(signedIn.value.userId, { limit: 100 });
      if (!page.ok) throw new Error(page.error.code);
      const shown = JSON.stringify([page.value, notices, later]);
      for (const word of ["URGENT", "555 0100", "555-0100", "evil", "https", "compromised"]) {
        expect(shown).not.toContain(word);
      }
      expect(new Set(page.value.events.map((e) => e.device))).toEqual(
        new Set(["Unknown device", "Firefox on Windows"]),
      );
    });
  });

  describe(`consecutive failures (${backend})`, () => {
    /** Wrong passwords across windows (10 per window) until `count` failures. */
    async function wrongPasswords(email: string, count: number): Promise<string[]> {
      clock.advanceSeconds(900);
      const answers: string[] = [];
      for (let i = 1; i <= count; i++) {
        answers.push(answerOf(await signIn(email, WRONG)));
        if (i % 10 === 0) clock.advanceSeconds(900);
      }
      return answers;
    }

    it("at 100 consecutive failures every check answers ACCOUNT_LOCKED, even the right password or code; the owner gets one unlock link; it unlocks once", async () => {
      await verifiedOwner();
      const answers = await wrongPasswords(OWNER, 100);
      expect(new Set(answers)).toEqual(new Set(["INVALID_CREDENTIALS"]));
      expect(answerOf(await signIn(OWNER, PASSWORD))).toBe("ACCOUNT_LOCKED");
      await service.requestSignInCode({ email: OWNER });
      const code = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
      expect(await service.signInWithCode({ email: OWNER, code })).toMatchObject({
        error: { code: "ACCOUNT_LOCKED" },
      });
      await service.requestPasswordReset({ email: OWNER });
      const reset = await latestCodeFor(database, TEST_SECRET, OWNER, "PASSWORD_RESET_CODE");
      expect(
        await service.resetPassword({ email: OWNER, code: reset, newPassword: `${PASSWORD}!` }),
      ).toMatchObject({ error: { code: "ACCOUNT_LOCKED" } });

      const links = await outboxOf("ACCOUNT_LOCKED");
      expect(links).toHaveLength(1);
      const token = links[0]?.message?.unlockToken ?? "";
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Stored only as its SHA-256.
      const stored = await unlockTokenHashes(database);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.unlock_token_hash).not.toContain(token);

      const owner = {
        ip: "203.0.113.9",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
      };
      expect(await service.unlock({ token }, owner)).toEqual({
        ok: true,
        value: { unlocked: true },
      });
      expect(await service.unlock({ token }, owner)).toMatchObject({
        error: { code: "TOKEN_INVALID" },
      });
      // The unlock is the owner's to see: recorded once, with the client that confirmed it.
      const unlockedEvents = await securityEventClients(database, "ACCOUNT_UNLOCKED", OWNER);
      expect(unlockedEvents).toEqual([{ ip: owner.ip, user_agent: owner.userAgent }]);
      expect((await signIn(OWNER, PASSWORD)).ok).toBe(true);
    });

    it("failures of every code type and of passwords count together; any success resets the count", async () => {
      await verifiedOwner();
      await wrongPasswords(OWNER, 90);
      await service.requestSignInCode({ email: OWNER });
      const code = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
      const wrongSignIn = wrongCode(code);
      for (let i = 0; i < 5; i++) await service.signInWithCode({ email: OWNER, code: wrongSignIn });
      await service.requestPasswordReset({ email: OWNER });
      const reset = await latestCodeFor(database, TEST_SECRET, OWNER, "PASSWORD_RESET_CODE");
      const wrongReset = wrongCode(reset);
      for (let i = 0; i < 4; i++) {
        await service.resetPassword({
          email: OWNER,
          code: wrongReset,
          newPassword: `${PASSWORD}!`,
        });
      }
      // 99 failures: one more success resets the count to 0.
      clock.advanceSeconds(900);
      expect((await signIn(OWNER, PASSWORD)).ok).toBe(true);
      const answers = await wrongPasswords(OWNER, 99);
      expect(answers.at(-1)).toBe("INVALID_CREDENTIALS");
      expect((await signIn(OWNER, PASSWORD)).ok).toBe(true);
      // Without the reset, the 100th failure locks.
      await wrongPasswords(OWNER, 99);
      await service.resetPassword({ email: OWNER, code: wrongReset, newPassword: `${PASSWORD}!` });
      expect(answerOf(await signIn(OWNER, PASSWORD))).toBe("ACCOUNT_LOCKED");
    });

    it("an unknown address reaches ACCOUNT_LOCKED after as many failures, answered exactly as an account; nothing is mailed for it", async () => {
      // Guesses at a code, five per 15-minute window (the attempt budget), until the cap.
      const guessUntilLocked = async (email: string) => {
        const answers: string[] = [];
        for (let i = 0; i < 130 && answers.at(-1) !== "ACCOUNT_LOCKED"; i++) {
          const result = await service.verifyEmail({ email, code: "12345678" });
          answers.push(result.ok ? "ok" : result.error.code);
          if (answers.at(-1) === "TOO_MANY_ATTEMPTS") clock.advanceSeconds(900);
        }
        return answers;
      };
      const start = clock.now();
      const ghost = await guessUntilLocked(GHOST);
      expect(ghost.filter((answer) => answer === "OTP_INVALID")).toHaveLength(100);
      expect(ghost.at(-1)).toBe("ACCOUNT_LOCKED");
      expect(answerOf(await signIn(GHOST, PASSWORD))).toBe("ACCOUNT_LOCKED");
      expect(await readOutbox(database, TEST_SECRET)).toEqual([]);
      // An account with a live code, guessed at in the same rhythm, answers the same.
      clock.set(start);
      const registered = await service.register({ email: OWNER, password: PASSWORD });
      if (!registered.ok) throw new Error(registered.error.code);
      expect(await guessUntilLocked(OWNER)).toEqual(ghost);
    });

    it("an unlock link works once, until it expires; a check after expiry sends a new one", async () => {
      await verifiedOwner();
      await wrongPasswords(OWNER, 100);
      const [first] = await outboxOf("ACCOUNT_LOCKED");
      const token = first?.message?.unlockToken ?? "";
      clock.advanceSeconds(86_400);
      expect(await service.unlock({ token })).toMatchObject({ error: { code: "TOKEN_INVALID" } });
      expect(answerOf(await signIn(OWNER, PASSWORD))).toBe("ACCOUNT_LOCKED");
      const links = await outboxOf("ACCOUNT_LOCKED");
      expect(links).toHaveLength(2);
      const fresh = links[1]?.message?.unlockToken ?? "";
      expect(fresh).not.toBe(token);
      expect((await service.unlock({ token: fresh })).ok).toBe(true);
      expect(await service.unlock({ token: "not-a-token-of-any-kind-at-all" })).toMatchObject({
        error: { code: "TOKEN_INVALID" },
      });
      expect(await service.unlock({ token: "" })).toMatchObject({
        error: { code: "INVALID_INPUT" },
      });
    });

    it("a new account starts with clean counters: failures against the address before it existed do not lock its owner out", async () => {
      let answer = "";
      for (let i = 0; i < 130 && answer !== "ACCOUNT_LOCKED"; i++) {
        const result = await service.verifyEmail({ email: OWNER, code: "12345678" });
        answer = result.ok ? "ok" : result.error.code;
        if (answer === "TOO_MANY_ATTEMPTS") clock.advanceSeconds(900);
      }
      expect(answer).toBe("ACCOUNT_LOCKED");
      await verifiedOwner();
      expect((await signIn(OWNER, PASSWORD)).ok).toBe(true);
    });
  });
}
