/**
 * Re-authentication before an email change, and the link that undoes the
 * change (issue 23 finding 2, ADR 20), on every backend with an injected clock.
 */
import { describe, expect, it } from "vitest";
import { queryRows } from "../db/rows.js";
import type { Result } from "../errors.js";
import {
  latestCodeFor,
  latestLinkFor,
  readOutbox,
  sql,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  wrongCode,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";
import type { SignedInUser } from "./types.js";

const ALICE = "alice@example.com";
const NEW = "alice.new@example.com";
const PASSWORD = "correct horse battery staple";
const FIREFOX = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" };

export function defineReauthenticationContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  defineServiceSuite(backend, serverUrl, (suite) => {
    ({ database, clock, service } = suite);
  });

  const answerOf = (result: Result<unknown>) => (result.ok ? "ok" : result.error.code);
  const codeFor = (email: string, kind: string) =>
    latestCodeFor(database, TEST_SECRET, email, kind);

  async function verifiedAlice(): Promise<void> {
    const registered = await service.register({ email: ALICE, password: PASSWORD });
    if (!registered.ok) throw new Error(registered.error.code);
    const verified = await service.verifyEmail(
      { email: ALICE, code: await codeFor(ALICE, "VERIFICATION_CODE") },
      { bindingToken: registered.value.bindingToken },
    );
    if (!verified.ok) throw new Error(verified.error.code);
  }

  /** A password sign-in: its token and the session as `authenticate` reads it. */
  async function signedIn(): Promise<{ token: string; user: SignedInUser }> {
    const session = await service.signIn({ email: ALICE, password: PASSWORD }, FIREFOX);
    if (!session.ok) throw new Error(session.error.code);
    return { token: session.value.token, user: await me(session.value.token) };
  }

  async function me(token: string): Promise<SignedInUser> {
    const user = await service.authenticate(token);
    if (!user.ok) throw new Error(user.error.code);
    return user.value;
  }

  const sessionCount = async () =>
    (await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM sessions`))[0]
      ?.n;

  /** Alice's address changed to NEW from a fresh session; returns the undo link's token. */
  async function changedAddress(): Promise<{ token: string; undoToken: string }> {
    const { token, user } = await signedIn();
    const requested = await service.requestEmailChange(
      { userId: user.userId, newEmail: NEW },
      user,
    );
    if (!requested.ok) throw new Error(requested.error.code);
    const code = await codeFor(NEW, "EMAIL_CHANGE_CODE");
    const changed = await service.confirmEmailChange({ userId: user.userId, code }, FIREFOX, user);
    if (!changed.ok) throw new Error(changed.error.code);
    const notice = (await readOutbox(database, TEST_SECRET)).find(
      (row) => row.kind === "EMAIL_CHANGED",
    );
    return { token, undoToken: notice?.message?.undoToken ?? "" };
  }

  describe(`re-authentication (${backend})`, () => {
    it("an email change needs an authentication within REAUTH_MAX_AGE_SECONDS (300): after it, 403 REAUTHENTICATION_REQUIRED on asking and on confirming", async () => {
      await verifiedAlice();
      const { token, user } = await signedIn();
      clock.advanceSeconds(300);
      expect(
        answerOf(await service.requestEmailChange({ userId: user.userId, newEmail: NEW }, user)),
      ).toBe("ok");
      clock.advanceSeconds(1);
      const later = await me(token);
      expect(
        answerOf(await service.requestEmailChange({ userId: user.userId, newEmail: NEW }, later)),
      ).toBe("REAUTHENTICATION_REQUIRED");
      const code = await codeFor(NEW, "EMAIL_CHANGE_CODE");
      expect(
        answerOf(await service.confirmEmailChange({ userId: user.userId, code }, FIREFOX, later)),
      ).toBe("REAUTHENTICATION_REQUIRED");
      // Without a session's authentication at all: refused too.
      expect(
        answerOf(await service.requestEmailChange({ userId: user.userId, newEmail: NEW })),
      ).toBe("REAUTHENTICATION_REQUIRED");
      // The email-change link needs it as well.
      const link = await latestLinkFor(database, TEST_SECRET, NEW, "EMAIL_CHANGE_CODE");
      expect(
        answerOf(
          await service.useLink(
            { token: link },
            { signedInUserId: user.userId, signedInSession: later },
          ),
        ),
      ).toBe("REAUTHENTICATION_REQUIRED");
      const [row] = await queryRows<{ email: string }>(database.db, sql`SELECT email FROM users`);
      expect(row?.email).toBe(ALICE);
    });

    it("the password re-authenticates the session (a wrong one spends the password budget); then the change goes through", async () => {
      await verifiedAlice();
      const { token, user } = await signedIn();
      clock.advanceSeconds(3600);
      expect(
        answerOf(await service.reauthenticate(user, { password: "not the password at all" })),
      ).toBe("INVALID_CREDENTIALS");
      expect(answerOf(await service.reauthenticate(user, {}))).toBe("INVALID_INPUT");
      expect(
        answerOf(await service.reauthenticate(user, { password: PASSWORD, otp: "12345678" })),
      ).toBe("INVALID_INPUT");
      expect(answerOf(await service.reauthenticate(user, { password: PASSWORD }))).toBe("ok");
      const fresh = await me(token);
      expect(fresh.authenticatedAt.getTime()).toBe(clock.now().getTime());
      expect(
        answerOf(await service.requestEmailChange({ userId: user.userId, newEmail: NEW }, fresh)),
      ).toBe("ok");
      // Ten wrong passwords spend the budget, as at sign-in: then even the right one waits.
      for (let i = 0; i < 10; i++) await service.reauthenticate(user, { password: "wrong" });
      expect(answerOf(await service.reauthenticate(user, { password: PASSWORD }))).toBe(
        "TOO_MANY_ATTEMPTS",
      );
    });

    it("a code to the current address re-authenticates (a new code type on the same engine: 5 wrong guesses, then TOO_MANY_ATTEMPTS); its link too, only at the account's session", async () => {
      await verifiedAlice();
      const { token, user } = await signedIn();
      clock.advanceSeconds(3600);
      expect(answerOf(await service.requestReauthenticationCode(user))).toBe("ok");
      const code = await codeFor(ALICE, "REAUTHENTICATION_CODE");
      expect(await service.reauthenticate(user, { otp: wrongCode(code) })).toMatchObject({
        error: { code: "OTP_INVALID", attemptsLeft: 4 },
      });
      expect(answerOf(await service.reauthenticate(user, { otp: code }))).toBe("ok");
      expect(answerOf(await service.reauthenticate(user, { otp: code }))).toBe("OTP_ALREADY_USED");
      expect((await me(token)).authenticatedAt.getTime()).toBe(clock.now().getTime());

      clock.advanceSeconds(3600);
      await service.requestReauthenticationCode(user);
      const link = await latestLinkFor(database, TEST_SECRET, ALICE, "REAUTHENTICATION_CODE");
      expect(answerOf(await service.useLink({ token: link }, {}))).toBe("UNAUTHORIZED");
      const stale = await me(token);
      expect(
        await service.useLink(
          { token: link },
          { signedInUserId: user.userId, signedInSession: stale },
        ),
      ).toMatchObject({ ok: true, value: { step: "REAUTHENTICATION" } });
      expect((await me(token)).authenticatedAt.getTime()).toBe(clock.now().getTime());

      clock.advanceSeconds(3600);
      await service.requestReauthenticationCode(user);
      const next = await codeFor(ALICE, "REAUTHENTICATION_CODE");
      const guesses: string[] = [];
      for (let i = 0; i < 6; i++)
        guesses.push(answerOf(await service.reauthenticate(user, { otp: wrongCode(next) })));
      expect(guesses).toEqual([...Array(5).fill("OTP_INVALID"), "TOO_MANY_ATTEMPTS"]);
      expect(answerOf(await service.reauthenticate(user, { otp: next }))).toBe("TOO_MANY_ATTEMPTS");
    });
  });

  describe(`email change: other sessions end, the old address can undo it (${backend})`, () => {
    it("confirming ends every other session; the old address is told, with a link, and never to reset a password", async () => {
      await verifiedAlice();
      const other = await signedIn();
      const { token } = await changedAddress();
      expect(await service.authenticate(other.token)).toMatchObject({
        error: { code: "UNAUTHORIZED" },
      });
      expect((await me(token)).email).toBe(NEW);
      const notice = (await readOutbox(database, TEST_SECRET)).find(
        (row) => row.kind === "EMAIL_CHANGED",
      );
      expect(notice?.message).toMatchObject({ to: ALICE, newEmail: NEW });
      expect(notice?.message?.undoToken).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
      expect(new Date(notice?.message?.undoExpiresAt ?? "").getTime() - clock.now().getTime()).toBe(
        7 * 24 * 3600 * 1000,
      );
    });

    it("the undo link (describe changes nothing) restores the old address, ends every session, revokes every device, and works once", async () => {
      await verifiedAlice();
      const { token, undoToken } = await changedAddress();
      expect(await service.describeLink({ token: undoToken })).toEqual({
        ok: true,
        value: { step: "EMAIL_CHANGE_UNDO", email: ALICE },
      });
      expect((await me(token)).email).toBe(NEW);
      const undone = await service.useLink({ token: undoToken }, FIREFOX);
      expect(undone).toMatchObject({
        ok: true,
        value: { step: "EMAIL_CHANGE_UNDO", undone: { email: ALICE, sessionsRevoked: 1 } },
      });
      expect(await sessionCount()).toBe(0);
      const devices = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM known_devices`,
      );
      expect(devices[0]?.n).toBe(0);
      const [row] = await queryRows<{ email: string }>(database.db, sql`SELECT email FROM users`);
      expect(row?.email).toBe(ALICE);
      expect(answerOf(await service.useLink({ token: undoToken }, FIREFOX))).toBe(
        "OTP_ALREADY_USED",
      );
      const events = await queryRows<{ type: string }>(
        database.db,
        sql`SELECT type FROM security_events WHERE type = 'EMAIL_CHANGE_UNDONE'`,
      );
      expect(events).toHaveLength(1);
      expect((await service.signIn({ email: ALICE, password: PASSWORD })).ok).toBe(true);
    });

    it("the undo link works for 7 days; after that it answers OTP_EXPIRED and changes nothing", async () => {
      await verifiedAlice();
      const { undoToken } = await changedAddress();
      clock.advanceSeconds(7 * 24 * 3600);
      expect(answerOf(await service.describeLink({ token: undoToken }))).toBe("OTP_EXPIRED");
      expect(answerOf(await service.useLink({ token: undoToken }, {}))).toBe("OTP_EXPIRED");
      const [row] = await queryRows<{ email: string }>(database.db, sql`SELECT email FROM users`);
      expect(row?.email).toBe(NEW);
    });

    it("a second change keeps the first undo link live (it restores the first address); a taken old address answers EMAIL_TAKEN", async () => {
      await verifiedAlice();
      const { undoToken } = await changedAddress();
      const again = await service.signIn({ email: NEW, password: PASSWORD }, FIREFOX);
      if (!again.ok) throw new Error(again.error.code);
      const user = await me(again.value.token);
      await service.requestEmailChange(
        { userId: user.userId, newEmail: "third@example.com" },
        user,
      );
      const code = await codeFor("third@example.com", "EMAIL_CHANGE_CODE");
      expect(
        answerOf(await service.confirmEmailChange({ userId: user.userId, code }, {}, user)),
      ).toBe("ok");
      // Someone registers the old address meanwhile: the undo cannot take it.
      await service.register({ email: ALICE, password: PASSWORD });
      expect(answerOf(await service.useLink({ token: undoToken }, {}))).toBe("EMAIL_TAKEN");
      await database.db.execute(sql`DELETE FROM users WHERE email = ${ALICE}`);
      expect(await service.useLink({ token: undoToken }, {})).toMatchObject({
        ok: true,
        value: { undone: { email: ALICE } },
      });
    });
  });
}
