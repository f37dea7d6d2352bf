/**
 * The link mailed beside every code (`APP_URL/link#token=...`, ADRs 13 and 23): the
 * contract, run on every backend. Link and code are one credential on one
 * row; describing a link changes nothing; a wrong secret is charged like a
 * wrong code, a right one spends nothing; a made-up token touches nothing.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  accountFailureRows,
  attemptRows,
  createTestService,
  failuresOfCodeType,
  justAuthenticated,
  latestCodeFor,
  latestLinkFor,
  maxConsecutiveFailures,
  passcodeHashes,
  passcodeLinkRows,
  passcodeTable,
  securityEventRows,
  securityEventsOfType,
  sessionIds,
  snapshot,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  userTable,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";

export function defineLinksContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  defineServiceSuite(backend, serverUrl, (suite) => {
    ({ database, clock, service } = suite);
  });

  const linkFor = (email: string, kind = "VERIFICATION_CODE") =>
    latestLinkFor(database, TEST_SECRET, email, kind);
  const codeFor = (email: string, kind = "VERIFICATION_CODE") =>
    latestCodeFor(database, TEST_SECRET, email, kind);

  /** Everything a check could change: users, codes, outbox, budgets, the cap, sessions, events. */
  async function everything() {
    return {
      ...(await snapshot(database)),
      links: await passcodeLinkRows(database),
      attempts: await attemptRows(database),
      failures: await accountFailureRows(database),
      sessions: await sessionIds(database),
      events: await securityEventRows(database),
    };
  }

  async function failuresOf(codeType: string): Promise<number> {
    return failuresOfCodeType(database, codeType);
  }

  async function consecutiveFailures(): Promise<number> {
    return maxConsecutiveFailures(database);
  }

  /** The same row, another secret of the right shape. */
  function wrongSecret(token: string): string {
    const [id, secret] = token.split(".") as [string, string];
    const flipped = secret.startsWith("A") ? `B${secret.slice(1)}` : `A${secret.slice(1)}`;
    return `${id}.${flipped}`;
  }

  async function verifiedAccount(email: string): Promise<void> {
    await service.register({ email, password: PASSWORD });
    const verified = await service.verifyEmail({ email, code: await codeFor(email) });
    if (!verified.ok) throw new Error(verified.error.code);
  }

  describe(`links beside codes (${backend})`, () => {
    it("every code email carries a link; the row keeps only the HMAC of its secret", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      const [id, secret] = token.split(".") as [string, string];
      const rows = await passcodeHashes(database);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.id).toBe(id);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(rows[0]?.link_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0]?.link_hash).not.toContain(secret);
      expect(rows[0]?.link_hash).not.toBe(rows[0]?.code_hash);
    });

    it("verification by link: the row used, the account verified, no attempt spent", async () => {
      const registered = await service.register({ email: ALICE, password: PASSWORD });
      if (!registered.ok) throw new Error(registered.error.code);
      const [before] = await passcodeTable(database);
      clock.advanceSeconds(60);
      const used = await service.useLink(
        { token: await linkFor(ALICE) },
        { bindingToken: registered.value.bindingToken },
      );
      expect(used).toMatchObject({
        ok: true,
        value: {
          step: "VERIFICATION",
          verified: { email: ALICE, passwordActive: true, session: { email: ALICE } },
        },
      });
      expect(await passcodeTable(database)).toEqual([
        { ...before, is_used: true, used_at: "2025-12-01 11:31:00" },
      ]);
      expect((await userTable(database))[0]).toMatchObject({ is_verified: true });
      expect(await failuresOf("VERIFICATION")).toBe(0);
      expect(await consecutiveFailures()).toBe(0);
    });

    it("verification by link from another client proves the address and activates no password (ADR 10)", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const used = await service.useLink({ token: await linkFor(ALICE) });
      expect(used).toMatchObject({
        ok: true,
        value: { step: "VERIFICATION", verified: { passwordActive: false, session: null } },
      });
      expect((await userTable(database))[0]).toMatchObject({
        is_verified: true,
        password_hash: null,
      });
    });

    it("sign-in by link opens a session and records SIGNED_IN", async () => {
      await verifiedAccount(ALICE);
      await service.requestSignInCode({ email: ALICE });
      const used = await service.useLink({ token: await linkFor(ALICE, "SIGN_IN_CODE") });
      if (!used.ok || used.value.step !== "SIGN_IN") throw new Error("not signed in");
      expect(await service.authenticate(used.value.session.token)).toMatchObject({
        ok: true,
        value: { email: ALICE },
      });
      const events = await securityEventsOfType(database, "SIGNED_IN");
      expect(events).toHaveLength(1);
      expect(await failuresOf("SIGN_IN")).toBe(0);
    });

    it("describing a link (what opening it does) says what it will do and changes nothing", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      const before = await everything();
      expect(await service.describeLink({ token })).toEqual({
        ok: true,
        value: { step: "VERIFICATION", email: ALICE },
      });
      // Also for a wrong secret and a made-up row: nothing spent, nothing recorded.
      expect(await service.describeLink({ token: wrongSecret(token) })).toMatchObject({
        ok: false,
        error: { code: "LINK_INVALID" },
      });
      expect(
        await service.describeLink({ token: `${randomUUID()}.${token.split(".")[1]}` }),
      ).toMatchObject({ ok: false, error: { code: "LINK_INVALID" } });
      expect(await everything()).toEqual(before);
      // Still usable afterwards.
      expect(await service.useLink({ token })).toMatchObject({ ok: true });
    });

    it("a link works once; a used link describes itself as used", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      expect(await service.useLink({ token })).toMatchObject({ ok: true });
      expect(await service.useLink({ token })).toMatchObject({
        ok: false,
        error: { code: "OTP_ALREADY_USED" },
      });
      expect(await service.describeLink({ token })).toMatchObject({
        ok: false,
        error: { code: "OTP_ALREADY_USED" },
      });
      // A right but used link is not a guess: nothing stays spent.
      expect(await failuresOf("VERIFICATION")).toBe(0);
    });

    it("the code of a used link is OTP_ALREADY_USED, and the link of a used code is refused", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const code = await codeFor(ALICE);
      expect(await service.useLink({ token: await linkFor(ALICE) })).toMatchObject({ ok: true });
      expect(await service.verifyEmail({ email: ALICE, code })).toMatchObject({
        ok: false,
        error: { code: "OTP_ALREADY_USED" },
      });

      await service.register({ email: BOB, password: PASSWORD });
      const link = await linkFor(BOB);
      expect(await service.verifyEmail({ email: BOB, code: await codeFor(BOB) })).toMatchObject({
        ok: true,
      });
      expect(await service.useLink({ token: link })).toMatchObject({
        ok: false,
        error: { code: "OTP_ALREADY_USED" },
      });
    });

    it("a resend kills the old link with the old code; the new link works", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const oldLink = await linkFor(ALICE);
      await service.resendCode({ email: ALICE });
      const newLink = await linkFor(ALICE);
      expect(newLink).not.toBe(oldLink);
      const before = await everything();
      expect(await service.useLink({ token: oldLink })).toMatchObject({
        ok: false,
        error: { code: "LINK_INVALID" },
      });
      expect(await service.describeLink({ token: oldLink })).toMatchObject({
        ok: false,
        error: { code: "LINK_INVALID" },
      });
      // The replaced link names a row that is gone: nothing to charge, nothing changed.
      expect(await everything()).toEqual(before);
      expect(await service.useLink({ token: newLink })).toMatchObject({ ok: true });
    });

    it("an expired link answers OTP_EXPIRED, on the page and on use, and spends nothing", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      clock.advanceSeconds(10 * 60 + 1);
      expect(await service.describeLink({ token })).toMatchObject({
        ok: false,
        error: { code: "OTP_EXPIRED" },
      });
      expect(await service.useLink({ token })).toMatchObject({
        ok: false,
        error: { code: "OTP_EXPIRED" },
      });
      expect((await passcodeTable(database))[0]).toMatchObject({ is_used: false });
      expect((await userTable(database))[0]).toMatchObject({ is_verified: false });
      expect(await failuresOf("VERIFICATION")).toBe(0);
    });

    it("links count against the attempt budget and the cap only when the token is wrong", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      // A made-up token (no such row) touches nothing.
      const before = await everything();
      expect(
        await service.useLink({ token: `${randomUUID()}.${token.split(".")[1]}` }),
      ).toMatchObject({ ok: false, error: { code: "LINK_INVALID" } });
      expect(await everything()).toEqual(before);

      // A wrong secret for the real row is a wrong guess at that account's code.
      expect(await service.useLink({ token: wrongSecret(token) })).toMatchObject({
        ok: false,
        error: { code: "LINK_INVALID", attemptsLeft: 4 },
      });
      expect(await failuresOf("VERIFICATION")).toBe(1);
      expect(await consecutiveFailures()).toBe(1);
      // And it shares the code's budget: three wrong codes, then the last try.
      const code = await codeFor(ALICE);
      const wrong = code.replace(/^./, (digit) => String((Number(digit) + 1) % 10));
      for (let i = 0; i < 3; i++) await service.verifyEmail({ email: ALICE, code: wrong });
      expect(await service.useLink({ token: wrongSecret(token) })).toMatchObject({
        ok: false,
        error: { code: "LINK_INVALID", attemptsLeft: 0, retryAt: expect.any(Date) },
      });
      // Spent: even the right link waits, as the right code does (ADR 2).
      expect(await service.useLink({ token })).toMatchObject({
        ok: false,
        error: { code: "TOO_MANY_ATTEMPTS" },
      });
      expect((await userTable(database))[0]).toMatchObject({ is_verified: false });
    });

    it("a right link spends nothing: the budget is as before", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      await service.useLink({ token: wrongSecret(token) });
      expect(await failuresOf("VERIFICATION")).toBe(1);
      expect(await service.useLink({ token })).toMatchObject({ ok: true });
      // The right link's unit went back (and a success clears the cap's count).
      expect(await failuresOf("VERIFICATION")).toBe(1);
      expect(await consecutiveFailures()).toBe(0);
    });

    it("a password-reset link needs the new password (without it nothing is spent) and resets", async () => {
      await verifiedAccount(ALICE);
      await service.requestPasswordReset({ email: ALICE });
      const token = await linkFor(ALICE, "PASSWORD_RESET_CODE");
      const before = await everything();
      expect(await service.useLink({ token })).toMatchObject({
        ok: false,
        error: { code: "INVALID_INPUT", fieldErrors: { newPassword: expect.any(Array) } },
      });
      expect(await service.useLink({ token, newPassword: "short" })).toMatchObject({
        ok: false,
        error: { code: "INVALID_INPUT", fieldErrors: { newPassword: expect.any(Array) } },
      });
      expect(await everything()).toEqual(before);
      expect(await service.describeLink({ token })).toMatchObject({
        ok: true,
        value: { step: "PASSWORD_RESET", email: ALICE },
      });
      expect(await service.useLink({ token, newPassword: NEW_PASSWORD })).toMatchObject({
        ok: true,
        value: { step: "PASSWORD_RESET", reset: { email: ALICE } },
      });
      expect(await service.signIn({ email: ALICE, password: NEW_PASSWORD })).toMatchObject({
        ok: true,
      });
    });

    it("another step's link refuses a new password", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      expect(
        await service.useLink({ token: await linkFor(ALICE), newPassword: NEW_PASSWORD }),
      ).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
    });

    it("an email-change link needs the signed-in session of its account", async () => {
      await verifiedAccount(ALICE);
      await verifiedAccount(BOB);
      const [alice, bob] = await userTable(database);
      if (alice === undefined || bob === undefined) throw new Error("no accounts");
      const NEW = "alice.new@example.com";
      await service.requestEmailChange(
        { userId: alice.id, newEmail: NEW },
        justAuthenticated(clock),
      );
      const token = await linkFor(NEW, "EMAIL_CHANGE_CODE");
      expect(await service.describeLink({ token })).toEqual({
        ok: true,
        value: { step: "EMAIL_CHANGE", email: NEW },
      });
      const before = await everything();
      expect(await service.useLink({ token })).toMatchObject({
        ok: false,
        error: { code: "UNAUTHORIZED" },
      });
      expect(await service.useLink({ token }, { signedInUserId: bob.id })).toMatchObject({
        ok: false,
        error: { code: "UNAUTHORIZED" },
      });
      expect(await everything()).toEqual(before);
      expect(
        await service.useLink(
          { token },
          { signedInUserId: alice.id, signedInSession: justAuthenticated(clock) },
        ),
      ).toMatchObject({
        ok: true,
        value: { step: "EMAIL_CHANGE", changed: { email: NEW } },
      });
      expect((await userTable(database)).map((user) => user.email)).toContain(NEW);
    });

    it("the account lock applies alike: at the cap even the right link is ACCOUNT_LOCKED", async () => {
      service = createTestService(database, {
        clock: clock.now,
        policy: { maxConsecutiveFailures: 2 },
      });
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      await service.useLink({ token: wrongSecret(token) });
      await service.useLink({ token: wrongSecret(token) });
      expect(await service.useLink({ token })).toMatchObject({
        ok: false,
        error: { code: "ACCOUNT_LOCKED" },
      });
      expect((await userTable(database))[0]).toMatchObject({ is_verified: false });
    });

    it("link checks are counted like code checks (otp_code_checks_total), one path", async () => {
      const checks: string[] = [];
      service = createTestService(database, {
        clock: clock.now,
        observer: { codeChecked: (codeType, outcome) => checks.push(`${codeType} ${outcome}`) },
      });
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      await service.describeLink({ token });
      await service.useLink({ token: `${randomUUID()}.${token.split(".")[1]}` });
      expect(checks).toEqual([]); // a read, and a token naming no row, are no checks
      await service.useLink({ token: wrongSecret(token) });
      await service.useLink({ token });
      await service.useLink({ token });
      expect(checks).toEqual(["VERIFICATION invalid", "VERIFICATION success", "VERIFICATION used"]);
    });

    it("malformed tokens are INVALID_INPUT and touch nothing", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const token = await linkFor(ALICE);
      const before = await everything();
      for (const bad of [
        "",
        "not-a-token",
        token.slice(0, -1),
        `${token}x`,
        token.replace(".", "-"),
        `${"a".repeat(300)}`,
      ]) {
        expect(await service.useLink({ token: bad })).toMatchObject({
          ok: false,
          error: { code: "INVALID_INPUT", fieldErrors: { token: expect.any(Array) } },
        });
        expect(await service.describeLink({ token: bad })).toMatchObject({
          ok: false,
          error: { code: "INVALID_INPUT" },
        });
      }
      expect(await service.useLink({} as { token: string })).toMatchObject({
        ok: false,
        error: { code: "INVALID_INPUT" },
      });
      expect(await everything()).toEqual(before);
    });
  });
}
