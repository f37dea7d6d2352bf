/**
 * Sessions, password reset, sign-in by code and email change: the contract,
 * run on every backend. Each flow: happy path, wrong code, expired code, reuse.
 */
import { describe, expect, it } from "vitest";
import {
  sessionCount as countSessions,
  justAuthenticated,
  latestCodeFor,
  readOutbox,
  sessionTokenHashes,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  userTable,
  wrongCode,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";

const ALICE = "alice@example.com";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";

export function defineAccountFlowsContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  defineServiceSuite(backend, serverUrl, (suite) => {
    ({ database, clock, service } = suite);
  });

  const codeFor = (email: string, kind: string) =>
    latestCodeFor(database, TEST_SECRET, email, kind);
  const sessionCount = () => countSessions(database);

  /** Registers and verifies from the same client (its binding token): the password is active. */
  async function verifiedAlice(): Promise<void> {
    const registered = await service.register({ email: ALICE, password: PASSWORD });
    if (!registered.ok) throw new Error(registered.error.code);
    const verified = await service.verifyEmail(
      { email: ALICE, code: await codeFor(ALICE, "VERIFICATION_CODE") },
      { bindingToken: registered.value.bindingToken },
    );
    if (!verified.ok || verified.value.session === null) throw new Error("not signed in");
    // Start from no session, as the tests below count them.
    await service.signOut(verified.value.session.token);
  }

  describe(`sessions (${backend})`, () => {
    it("signs a verified account in; the token is stored only as a hash", async () => {
      await verifiedAlice();
      const signedIn = await service.signIn({ email: "ALICE@example.com", password: PASSWORD });
      if (!signedIn.ok) throw new Error(signedIn.error.code);
      expect(signedIn.value.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = await sessionTokenHashes(database);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.token_hash).not.toBe(signedIn.value.token);
      expect(await service.authenticate(signedIn.value.token)).toMatchObject({
        ok: true,
        value: { email: ALICE },
      });
    });

    it("refuses a wrong password and an unknown address alike; an unverified account only with the right password", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      expect(await service.signIn({ email: ALICE, password: "wrong password" })).toMatchObject({
        error: { code: "INVALID_CREDENTIALS" },
      });
      expect(
        await service.signIn({ email: "nobody@example.com", password: PASSWORD }),
      ).toMatchObject({
        error: { code: "INVALID_CREDENTIALS" },
      });
      expect(await service.signIn({ email: ALICE, password: PASSWORD })).toMatchObject({
        error: { code: "EMAIL_NOT_VERIFIED" },
      });
      expect(await sessionCount()).toBe(0);
    });

    it("a signed-out or expired session is refused; sign out everywhere revokes all", async () => {
      await verifiedAlice();
      const a = await service.signIn({ email: ALICE, password: PASSWORD });
      const b = await service.signIn({ email: ALICE, password: PASSWORD });
      if (!a.ok || !b.ok) throw new Error("sign-in failed");
      expect(await service.signOut(a.value.token)).toEqual({
        ok: true,
        value: { signedOut: true },
      });
      expect(await service.authenticate(a.value.token)).toMatchObject({
        error: { code: "UNAUTHORIZED" },
      });
      expect((await service.authenticate(b.value.token)).ok).toBe(true);
      expect(await service.signOutEverywhere(b.value.userId)).toEqual({
        ok: true,
        value: { sessionsRevoked: 1 },
      });
      expect(await service.authenticate(b.value.token)).toMatchObject({
        error: { code: "UNAUTHORIZED" },
      });
      const c = await service.signIn({ email: ALICE, password: PASSWORD });
      if (!c.ok) throw new Error("sign-in failed");
      clock.advanceSeconds(30 * 24 * 3600);
      expect(await service.authenticate(c.value.token)).toMatchObject({
        error: { code: "UNAUTHORIZED" },
      });
      expect(await service.authenticate("not-a-token")).toMatchObject({
        error: { code: "UNAUTHORIZED" },
      });
    });
  });

  describe(`password reset (${backend})`, () => {
    it("replaces the password, revokes every session and sends the notice, in one go", async () => {
      await verifiedAlice();
      await service.signIn({ email: ALICE, password: PASSWORD });
      expect(await service.requestPasswordReset({ email: ALICE })).toEqual({
        ok: true,
        value: { email: ALICE },
      });
      const code = await codeFor(ALICE, "PASSWORD_RESET_CODE");
      const reset = await service.resetPassword({ email: ALICE, code, newPassword: NEW_PASSWORD });
      expect(reset).toMatchObject({ ok: true, value: { email: ALICE, sessionsRevoked: 1 } });
      expect(await sessionCount()).toBe(0);
      expect((await service.signIn({ email: ALICE, password: PASSWORD })).ok).toBe(false);
      expect((await service.signIn({ email: ALICE, password: NEW_PASSWORD })).ok).toBe(true);
      const notices = (await readOutbox(database, TEST_SECRET)).filter(
        (row) => row.kind === "PASSWORD_CHANGED",
      );
      expect(notices.map((row) => row.message?.to)).toEqual([ALICE]);
      // Reuse of the used code.
      expect(
        await service.resetPassword({ email: ALICE, code, newPassword: PASSWORD }),
      ).toMatchObject({
        error: { code: "OTP_ALREADY_USED" },
      });
    });

    it("a wrong or expired code changes nothing", async () => {
      await verifiedAlice();
      await service.requestPasswordReset({ email: ALICE });
      const code = await codeFor(ALICE, "PASSWORD_RESET_CODE");
      const before = await userTable(database);
      expect(
        await service.resetPassword({
          email: ALICE,
          code: wrongCode(code),
          newPassword: NEW_PASSWORD,
        }),
      ).toMatchObject({
        error: { code: "OTP_INVALID", attemptsLeft: 4 },
      });
      clock.advanceSeconds(900);
      expect(
        await service.resetPassword({ email: ALICE, code, newPassword: NEW_PASSWORD }),
      ).toMatchObject({
        error: { code: "OTP_EXPIRED" },
      });
      expect(await userTable(database)).toEqual(before);
    });

    it("answers the same for unknown addresses, and a reset code is not a verification code", async () => {
      expect(await service.requestPasswordReset({ email: "ghost@example.com" })).toEqual({
        ok: true,
        value: { email: "ghost@example.com" },
      });
      await verifiedAlice();
      await service.requestPasswordReset({ email: ALICE });
      const code = await codeFor(ALICE, "PASSWORD_RESET_CODE");
      expect(await service.signInWithCode({ email: ALICE, code })).toMatchObject({
        error: { code: "OTP_INVALID" },
      });
    });
  });

  describe(`sign-in by code (${backend})`, () => {
    it("creates a session and verifies the address", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      expect((await service.requestSignInCode({ email: ALICE })).ok).toBe(true);
      const code = await codeFor(ALICE, "SIGN_IN_CODE");
      const signedIn = await service.signInWithCode({ email: ALICE, code });
      if (!signedIn.ok) throw new Error(signedIn.error.code);
      expect((await service.authenticate(signedIn.value.token)).ok).toBe(true);
      expect((await userTable(database))[0]?.is_verified).toBe(true);
      expect(await service.signInWithCode({ email: ALICE, code })).toMatchObject({
        error: { code: "OTP_ALREADY_USED" },
      });
    });

    it("a wrong or expired code creates no session", async () => {
      await verifiedAlice();
      await service.requestSignInCode({ email: ALICE });
      const code = await codeFor(ALICE, "SIGN_IN_CODE");
      expect(await service.signInWithCode({ email: ALICE, code: wrongCode(code) })).toMatchObject({
        error: { code: "OTP_INVALID" },
      });
      clock.advanceSeconds(900);
      expect(await service.signInWithCode({ email: ALICE, code })).toMatchObject({
        error: { code: "OTP_EXPIRED" },
      });
      expect(await sessionCount()).toBe(0);
    });
  });

  describe(`email change (${backend})`, () => {
    const NEW = "alice.new@example.com";

    it("sends the code to the new address; confirming switches it and tells the old one", async () => {
      await verifiedAlice();
      const [alice] = await userTable(database);
      if (alice === undefined) throw new Error("no user");
      expect(
        await service.requestEmailChange(
          { userId: alice.id, newEmail: NEW },
          justAuthenticated(clock),
        ),
      ).toEqual({
        ok: true,
        value: { newEmail: NEW },
      });
      const code = await codeFor(NEW, "EMAIL_CHANGE_CODE");
      expect(
        await service.confirmEmailChange({ userId: alice.id, code }, {}, justAuthenticated(clock)),
      ).toMatchObject({
        ok: true,
        value: { email: NEW },
      });
      expect((await userTable(database))[0]?.email).toBe(NEW);
      const notice = (await readOutbox(database, TEST_SECRET)).find(
        (row) => row.kind === "EMAIL_CHANGED",
      );
      expect(notice?.message).toMatchObject({ to: ALICE, newEmail: NEW });
      expect(
        await service.confirmEmailChange({ userId: alice.id, code }, {}, justAuthenticated(clock)),
      ).toMatchObject({
        error: { code: "OTP_ALREADY_USED" },
      });
      expect((await service.signIn({ email: NEW, password: PASSWORD })).ok).toBe(true);
    });

    it("a taken address gets no code, with the same answer; taken meanwhile gives EMAIL_TAKEN", async () => {
      await verifiedAlice();
      await service.register({ email: "bob@example.com", password: PASSWORD });
      const [alice] = (await userTable(database)).filter((u) => u.email === ALICE);
      if (alice === undefined) throw new Error("no user");
      const outboxBefore = (await readOutbox(database, TEST_SECRET)).length;
      expect(
        await service.requestEmailChange(
          { userId: alice.id, newEmail: "bob@example.com" },
          justAuthenticated(clock),
        ),
      ).toEqual({
        ok: true,
        value: { newEmail: "bob@example.com" },
      });
      expect((await readOutbox(database, TEST_SECRET)).length).toBe(outboxBefore);

      await service.requestEmailChange(
        { userId: alice.id, newEmail: NEW },
        justAuthenticated(clock),
      );
      const code = await codeFor(NEW, "EMAIL_CHANGE_CODE");
      await service.register({ email: NEW, password: PASSWORD }); // someone takes it meanwhile
      expect(
        await service.confirmEmailChange({ userId: alice.id, code }, {}, justAuthenticated(clock)),
      ).toMatchObject({
        error: { code: "EMAIL_TAKEN" },
      });
      expect((await userTable(database)).find((u) => u.id === alice.id)?.email).toBe(ALICE);
    });

    it("a wrong or expired code changes nothing", async () => {
      await verifiedAlice();
      const [alice] = await userTable(database);
      if (alice === undefined) throw new Error("no user");
      await service.requestEmailChange(
        { userId: alice.id, newEmail: NEW },
        justAuthenticated(clock),
      );
      const code = await codeFor(NEW, "EMAIL_CHANGE_CODE");
      expect(
        await service.confirmEmailChange(
          { userId: alice.id, code: wrongCode(code) },
          {},
          justAuthenticated(clock),
        ),
      ).toMatchObject({
        error: { code: "OTP_INVALID" },
      });
      clock.advanceSeconds(900);
      expect(
        await service.confirmEmailChange({ userId: alice.id, code }, {}, justAuthenticated(clock)),
      ).toMatchObject({
        error: { code: "OTP_EXPIRED" },
      });
      expect((await userTable(database))[0]?.email).toBe(ALICE);
    });
  });

  describe(`registration of an existing address (${backend})`, () => {
    it("tells a verified owner that someone tried to register", async () => {
      await verifiedAlice();
      expect(await service.register({ email: ALICE, password: "someone else's password" })).toEqual(
        { ok: true, value: { email: ALICE, bindingToken: expect.any(String) } },
      );
      const notice = (await readOutbox(database, TEST_SECRET)).filter(
        (row) => row.kind === "ALREADY_REGISTERED",
      );
      expect(notice.map((row) => row.message?.to)).toEqual([ALICE]);
    });
  });
}
