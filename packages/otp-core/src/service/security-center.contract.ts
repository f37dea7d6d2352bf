/**
 * The security center's contract (issue 14), run on PGlite and on a real
 * PostgreSQL server: sessions with their context, revoking one, the events
 * each flow records (and does not record when it fails), new-device notices,
 * and the retention of events.
 */
import { describe, expect, it } from "vitest";
import type { ClientContext } from "../rules/client-context.js";
import {
  createTestService,
  deleteUser,
  justAuthenticated,
  knownDeviceCount,
  knownDeviceHashes,
  latestCodeFor,
  readOutbox,
  securityEventContexts,
  securityEventCount,
  securityEventsOfType,
  securityEventTypesOf,
  sessionClients,
  sessionLastSeenUtc,
  T0,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  wrongCode,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const PASSWORD = "correct horse battery staple";
const FIREFOX = {
  ip: "203.0.113.7",
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
};
const SAFARI = {
  ip: "198.51.100.23",
  userAgent:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
};

export function defineSecurityCenterContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  defineServiceSuite(backend, serverUrl, (suite) => {
    ({ database, clock, service } = suite);
  });

  const codeFor = (email: string, kind: string) =>
    latestCodeFor(database, TEST_SECRET, email, kind);

  /**
   * Registers and verifies from `client` (with the registration's binding,
   * so the password becomes active and the verification signs in: EMAIL_VERIFIED
   * and SIGNED_IN). That session is signed out again, so each test starts
   * with none. Returns the device token the client now keeps.
   */
  async function verified(email: string, client: ClientContext = FIREFOX): Promise<string> {
    const registered = await service.register({ email, password: PASSWORD });
    if (!registered.ok) throw new Error(registered.error.code);
    const binding = (registered.value as { bindingToken?: string }).bindingToken;
    const done = await service.verifyEmail(
      { email, code: await codeFor(email, "VERIFICATION_CODE") },
      { ...client, ...(binding === undefined ? {} : { bindingToken: binding }) },
    );
    if (!done.ok) throw new Error(done.error.code);
    if (done.value.session !== null) await service.signOut(done.value.session.token);
    return done.value.deviceToken;
  }

  async function signedIn(email: string, client: ClientContext) {
    const session = await service.signIn({ email, password: PASSWORD }, client);
    if (!session.ok) throw new Error(session.error.code);
    const user = await service.authenticate(session.value.token);
    if (!user.ok) throw new Error(user.error.code);
    return { ...session.value, sessionId: user.value.sessionId };
  }

  const eventTypes = (email: string) => securityEventTypesOf(database, email);
  const eventCount = () => securityEventCount(database);

  async function newSignInNotices(email: string) {
    return (await readOutbox(database, TEST_SECRET)).filter(
      (row) => row.kind === "NEW_SIGN_IN" && row.message?.to === email,
    );
  }

  describe(`where you're signed in (${backend})`, () => {
    it("lists only the caller's live sessions, newest first, with device, IP and times; exactly one is current", async () => {
      await verified(ALICE);
      await verified(BOB);
      const first = await signedIn(ALICE, FIREFOX);
      clock.advanceSeconds(60);
      const second = await signedIn(ALICE, SAFARI);
      await signedIn(BOB, FIREFOX);

      const listed = await service.listSessions({
        userId: second.userId,
        sessionId: second.sessionId,
      });
      if (!listed.ok) throw new Error(listed.error.code);
      const sessions = listed.value.sessions;
      expect(sessions.map((s) => s.id)).toEqual([second.sessionId, first.sessionId]);
      expect(sessions[0]).toEqual({
        id: second.sessionId,
        device: "Safari on iOS",
        ip: SAFARI.ip,
        createdAt: new Date(T0.getTime() + 60_000),
        lastSeenAt: new Date(T0.getTime() + 60_000),
        current: true,
      });
      expect(sessions[1]).toMatchObject({
        device: "Firefox on Windows",
        ip: FIREFOX.ip,
        createdAt: T0,
        current: false,
      });
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
    });

    it("moves last seen at most once every five minutes, not on every request", async () => {
      await verified(ALICE);
      const session = await signedIn(ALICE, FIREFOX);
      const lastSeen = () => sessionLastSeenUtc(database);
      expect(await lastSeen()).toBe("11:30:00");
      clock.advanceSeconds(299);
      await service.authenticate(session.token);
      expect(await lastSeen()).toBe("11:30:00");
      clock.advanceSeconds(2);
      await service.authenticate(session.token);
      expect(await lastSeen()).toBe("11:35:01");
      clock.advanceSeconds(60);
      await service.authenticate(session.token);
      expect(await lastSeen()).toBe("11:35:01");
    });

    it("revoking a session ends it at once, leaves the others, and records SESSION_REVOKED", async () => {
      await verified(ALICE);
      const phone = await signedIn(ALICE, SAFARI);
      const laptop = await signedIn(ALICE, FIREFOX);
      clock.advanceSeconds(1);
      expect(
        await service.revokeSession(
          { userId: laptop.userId, sessionId: laptop.sessionId },
          { sessionId: phone.sessionId },
          FIREFOX,
        ),
      ).toEqual({ ok: true, value: { sessionId: phone.sessionId, current: false } });
      expect(await service.authenticate(phone.token)).toMatchObject({
        ok: false,
        error: { code: "UNAUTHORIZED" },
      });
      expect((await service.authenticate(laptop.token)).ok).toBe(true);
      const events = await service.securityEvents(laptop.userId);
      if (!events.ok) throw new Error(events.error.code);
      expect(events.value.events[0]).toMatchObject({
        type: "SESSION_REVOKED",
        ip: FIREFOX.ip,
        device: "Firefox on Windows",
      });
    });

    it("another account's session id is NOT_FOUND and changes nothing", async () => {
      await verified(ALICE);
      await verified(BOB);
      const alice = await signedIn(ALICE, FIREFOX);
      const bob = await signedIn(BOB, SAFARI);
      const before = await eventCount();
      expect(
        await service.revokeSession(
          { userId: alice.userId, sessionId: alice.sessionId },
          { sessionId: bob.sessionId },
        ),
      ).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect((await service.authenticate(bob.token)).ok).toBe(true);
      expect(await eventCount()).toBe(before);
    });

    it("refuses a malformed session id with INVALID_INPUT", async () => {
      await verified(ALICE);
      const alice = await signedIn(ALICE, FIREFOX);
      const owner = { userId: alice.userId, sessionId: alice.sessionId };
      for (const input of [{ sessionId: "x" }, {}, null, { sessionId: 7 }]) {
        expect(await service.revokeSession(owner, input)).toMatchObject({
          ok: false,
          error: { code: "INVALID_INPUT", fieldErrors: expect.any(Object) },
        });
      }
    });
  });

  describe(`security events (${backend})`, () => {
    it("EMAIL_VERIFIED by verification, with IP and device; none for a wrong code", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const code = await codeFor(ALICE, "VERIFICATION_CODE");
      expect((await service.verifyEmail({ email: ALICE, code: wrongCode(code) }, FIREFOX)).ok).toBe(
        false,
      );
      expect(await eventCount()).toBe(0);
      await verified(ALICE);
      const rows = await securityEventContexts(database);
      expect(rows).toHaveLength(2);
      expect(rows).toContainEqual({
        type: "EMAIL_VERIFIED",
        ip: FIREFOX.ip,
        user_agent: FIREFOX.userAgent,
      });
      // The registering client's own code signed it in, too.
      expect(rows).toContainEqual({
        type: "SIGNED_IN",
        ip: FIREFOX.ip,
        user_agent: FIREFOX.userAgent,
      });
    });

    it("SIGNED_IN (password) on success; SIGN_IN_BLOCKED for a wrong password; nothing for an unknown address", async () => {
      await verified(ALICE);
      clock.advanceSeconds(1);
      expect(
        (await service.signIn({ email: ALICE, password: "not the password" }, SAFARI)).ok,
      ).toBe(false);
      expect(
        (await service.signIn({ email: "nobody@example.com", password: PASSWORD }, SAFARI)).ok,
      ).toBe(false);
      expect(await eventTypes(ALICE)).toEqual(["EMAIL_VERIFIED", "SIGNED_IN", "SIGN_IN_BLOCKED"]);
      expect(await eventCount()).toBe(3);
      clock.advanceSeconds(1);
      const session = await signedIn(ALICE, SAFARI);
      const page = await service.securityEvents(session.userId);
      if (!page.ok) throw new Error(page.error.code);
      expect(page.value.events.map((e) => e.type).slice(0, 2)).toEqual([
        "SIGNED_IN",
        "SIGN_IN_BLOCKED",
      ]);
      expect(page.value.events).toHaveLength(4);
      expect(page.value.events[0]).toMatchObject({
        method: "password",
        ip: SAFARI.ip,
        device: "Safari on iOS",
      });
      expect(page.value.events[1]).toMatchObject({ reason: "WRONG_PASSWORD" });
    });

    it("the right password of an unverified registration: one SIGN_IN_BLOCKED, for EMAIL_NOT_VERIFIED", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const answer = await service.signIn({ email: ALICE, password: PASSWORD }, SAFARI);
      expect(answer).toMatchObject({ ok: false, error: { code: "EMAIL_NOT_VERIFIED" } });
      // The statement that spent the attempt presumed a wrong password; the reason is corrected.
      expect(await securityEventsOfType(database, "SIGN_IN_BLOCKED")).toEqual([
        { type: "SIGN_IN_BLOCKED", detail: { reason: "EMAIL_NOT_VERIFIED" } },
      ]);
    });

    it("SIGNED_IN (code) by a sign-in code; nothing for a wrong one", async () => {
      await verified(ALICE);
      await service.requestSignInCode({ email: ALICE });
      const code = await codeFor(ALICE, "SIGN_IN_CODE");
      expect(
        (await service.signInWithCode({ email: ALICE, code: wrongCode(code) }, SAFARI)).ok,
      ).toBe(false);
      expect(await eventTypes(ALICE)).toEqual(["EMAIL_VERIFIED", "SIGNED_IN"]);
      clock.advanceSeconds(1);
      const session = await service.signInWithCode({ email: ALICE, code }, SAFARI);
      if (!session.ok) throw new Error(session.error.code);
      const page = await service.securityEvents(session.value.userId);
      if (!page.ok) throw new Error(page.error.code);
      expect(page.value.events[0]).toMatchObject({
        type: "SIGNED_IN",
        method: "code",
        ip: SAFARI.ip,
        device: "Safari on iOS",
      });
      const sessions = await sessionClients(database);
      expect(sessions).toEqual([{ ip: SAFARI.ip, user_agent: SAFARI.userAgent }]);
    });

    it("PASSWORD_CHANGED by a reset; nothing for a wrong code", async () => {
      await verified(ALICE);
      await service.requestPasswordReset({ email: ALICE });
      const code = await codeFor(ALICE, "PASSWORD_RESET_CODE");
      const reset = { email: ALICE, newPassword: "another long passphrase 2" };
      expect((await service.resetPassword({ ...reset, code: wrongCode(code) }, SAFARI)).ok).toBe(
        false,
      );
      expect(await eventTypes(ALICE)).toEqual(["EMAIL_VERIFIED", "SIGNED_IN"]);
      expect((await service.resetPassword({ ...reset, code }, SAFARI)).ok).toBe(true);
      expect(await eventTypes(ALICE)).toEqual(["EMAIL_VERIFIED", "PASSWORD_CHANGED", "SIGNED_IN"]);
    });

    it("EMAIL_CHANGED by confirming; nothing when the address was taken meanwhile", async () => {
      await verified(ALICE);
      clock.advanceSeconds(1);
      const alice = await signedIn(ALICE, FIREFOX);
      const NEW = "alice.new@example.com";
      await service.requestEmailChange(
        { userId: alice.userId, newEmail: NEW },
        justAuthenticated(clock),
      );
      const code = await codeFor(NEW, "EMAIL_CHANGE_CODE");
      await verified(NEW);
      expect(
        await service.confirmEmailChange(
          { userId: alice.userId, code },
          FIREFOX,
          justAuthenticated(clock),
        ),
      ).toMatchObject({ ok: false, error: { code: "EMAIL_TAKEN" } });
      expect(await eventTypes(ALICE)).toEqual(["EMAIL_VERIFIED", "SIGNED_IN", "SIGNED_IN"]);

      await deleteUser(database, NEW);
      await service.requestEmailChange(
        { userId: alice.userId, newEmail: NEW },
        justAuthenticated(clock),
      );
      const second = await codeFor(NEW, "EMAIL_CHANGE_CODE");
      clock.advanceSeconds(1);
      expect(
        (
          await service.confirmEmailChange(
            { userId: alice.userId, code: second },
            FIREFOX,
            justAuthenticated(clock),
          )
        ).ok,
      ).toBe(true);
      expect(await eventTypes(NEW)).toEqual([
        "EMAIL_VERIFIED",
        "SIGNED_IN",
        "SIGNED_IN",
        "EMAIL_CHANGED",
      ]);
    });

    it("SIGNED_OUT_EVERYWHERE with how many sessions ended", async () => {
      await verified(ALICE);
      await signedIn(ALICE, SAFARI);
      const laptop = await signedIn(ALICE, FIREFOX);
      clock.advanceSeconds(1);
      expect(await service.signOutEverywhere(laptop.userId, FIREFOX)).toEqual({
        ok: true,
        value: { sessionsRevoked: 2 },
      });
      const page = await service.securityEvents(laptop.userId);
      if (!page.ok) throw new Error(page.error.code);
      expect(page.value.events[0]).toMatchObject({
        type: "SIGNED_OUT_EVERYWHERE",
        sessionsRevoked: 2,
        ip: FIREFOX.ip,
      });
    });

    it("ACCOUNT_LOCKED once, when consecutive failures lock the account, with IP and device", async () => {
      service = createTestService(database, {
        clock: clock.now,
        policy: { maxConsecutiveFailures: 3 },
      });
      await verified(ALICE);
      const wrongPassword = { email: ALICE, password: "not the password at all" };
      for (let i = 0; i < 3; i++) {
        clock.advanceSeconds(1);
        await service.signIn(wrongPassword, SAFARI);
      }
      clock.advanceSeconds(1);
      expect(await service.signIn({ email: ALICE, password: PASSWORD }, SAFARI)).toMatchObject({
        ok: false,
        error: { code: "ACCOUNT_LOCKED" },
      });
      const rows = await securityEventContexts(database, "ACCOUNT_LOCKED");
      expect(rows).toEqual([
        { type: "ACCOUNT_LOCKED", ip: SAFARI.ip, user_agent: SAFARI.userAgent },
      ]);
      // An address without an account reaches the same lock and records nothing.
      const before = await eventCount();
      for (let i = 0; i < 4; i++) {
        await service.signIn({ email: "nobody@example.com", password: PASSWORD }, SAFARI);
      }
      expect(await eventCount()).toBe(before);
    });

    it("pages newest first with an opaque cursor; a forged cursor or page size is INVALID_INPUT", async () => {
      const NIL_LIKE_ID = "0195d1f4-8a1b-7c3d-9e2f-0123456789ab";
      await verified(ALICE);
      let userId = "";
      for (let i = 0; i < 4; i++) {
        clock.advanceSeconds(1);
        userId = (await signedIn(ALICE, FIREFOX)).userId;
      }
      const first = await service.securityEvents(userId, { limit: 2 });
      if (!first.ok) throw new Error(first.error.code);
      expect(first.value.events).toHaveLength(2);
      expect(first.value.nextCursor).toEqual(expect.any(String));
      const second = await service.securityEvents(userId, {
        limit: 2,
        cursor: first.value.nextCursor,
      });
      if (!second.ok) throw new Error(second.error.code);
      const third = await service.securityEvents(userId, {
        limit: "2",
        cursor: second.value.nextCursor,
      });
      if (!third.ok) throw new Error(third.error.code);
      const all = [...first.value.events, ...second.value.events, ...third.value.events];
      expect(all.map((e) => e.type).slice(0, 4)).toEqual([
        "SIGNED_IN",
        "SIGNED_IN",
        "SIGNED_IN",
        "SIGNED_IN",
      ]);
      expect(
        all
          .map((e) => e.type)
          .slice(4)
          .sort(),
      ).toEqual(["EMAIL_VERIFIED", "SIGNED_IN"]);
      expect(new Set(all.map((e) => e.id)).size).toBe(6);
      const times = all.map((e) => e.at.getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(third.value.nextCursor).toBeNull();
      for (const input of [
        { cursor: "not a cursor" },
        { cursor: Buffer.from("2025-01-01T00:00:00Z|x").toString("base64url") },
        // Crafted: years PostgreSQL refuses, a rolled-over date, the wrong shape (issue 23).
        ...[
          `0000-01-01T00:00:00Z|${NIL_LIKE_ID}`,
          `0000-01-01T00:00:00.000Z|${NIL_LIKE_ID}`,
          `+275760-09-13T00:00:00.000Z|${NIL_LIKE_ID}`,
          `2025-02-30T00:00:00.000Z|${NIL_LIKE_ID}`,
          `2025-01-01T00:00:00.000Z|${NIL_LIKE_ID}|extra`,
          "\u0000\uffff",
        ].map((text) => ({ cursor: Buffer.from(text).toString("base64url") })),
        { cursor: "%%%" },
        { limit: 0 },
        { limit: 101 },
        { limit: "many" },
        { limit: 1.5 },
      ]) {
        expect(await service.securityEvents(userId, input)).toMatchObject({
          ok: false,
          error: { code: "INVALID_INPUT" },
        });
      }
    });

    it("cleanup removes events older than the retention and keeps the rest", async () => {
      await verified(ALICE);
      clock.advanceSeconds(89 * 86_400);
      await signedIn(ALICE, FIREFOX);
      clock.advanceSeconds(2 * 86_400);
      const cleaned = await service.cleanup({ batchSize: 1 });
      if (!cleaned.ok) throw new Error(cleaned.error.code);
      expect(cleaned.value.securityEventsDeleted).toBe(2);
      expect(await eventTypes(ALICE)).toEqual(["SIGNED_IN"]);
      const shorter = await service.cleanup({ securityEventRetentionDays: 1 });
      if (!shorter.ok) throw new Error(shorter.error.code);
      expect(shorter.value.securityEventsDeleted).toBe(1);
      expect(await eventCount()).toBe(0);
      expect(await service.cleanup({ securityEventRetentionDays: 0 })).toMatchObject({
        ok: false,
        error: { code: "INVALID_INPUT" },
      });
    });
  });

  describe(`new-device notices (${backend})`, () => {
    it("a sign-in from a device the account has not seen queues one notice with when, IP and device", async () => {
      await verified(ALICE, FIREFOX);
      const session = await signedIn(ALICE, SAFARI);
      const notices = await newSignInNotices(ALICE);
      expect(notices).toHaveLength(1);
      expect(notices[0]?.message).toMatchObject({
        kind: "NEW_SIGN_IN",
        to: ALICE,
        signedInAt: T0.toISOString(),
        ip: SAFARI.ip,
        device: "Safari on iOS",
      });
      // The same device (its cookie) again: known now, no second notice.
      await signedIn(ALICE, { ...SAFARI, deviceToken: session.deviceToken });
      expect(await newSignInNotices(ALICE)).toHaveLength(1);
      expect((await knownDeviceHashes(database)).join()).not.toContain(session.deviceToken);
    });

    it("no notice for the device that verified the address, or by code from a known device", async () => {
      const device = await verified(ALICE, FIREFOX);
      await signedIn(ALICE, { ...FIREFOX, deviceToken: device });
      await service.requestSignInCode({ email: ALICE });
      const code = await codeFor(ALICE, "SIGN_IN_CODE");
      expect(
        (await service.signInWithCode({ email: ALICE, code }, { ...FIREFOX, deviceToken: device }))
          .ok,
      ).toBe(true);
      expect(await newSignInNotices(ALICE)).toHaveLength(0);
    });

    it("a sign-in by code from a new device queues the notice; a device known to another account is new to this one", async () => {
      const aliceDevice = await verified(ALICE, FIREFOX);
      await verified(BOB, SAFARI);
      await service.requestSignInCode({ email: BOB });
      const code = await codeFor(BOB, "SIGN_IN_CODE");
      expect(
        (
          await service.signInWithCode(
            { email: BOB, code },
            { ...FIREFOX, deviceToken: aliceDevice },
          )
        ).ok,
      ).toBe(true);
      expect(await newSignInNotices(BOB)).toHaveLength(1);
      expect(await newSignInNotices(ALICE)).toHaveLength(0);
    });

    it("no notice, and no device remembered, when the sign-in fails", async () => {
      await verified(ALICE, FIREFOX);
      expect((await service.signIn({ email: ALICE, password: "wrong password!" }, SAFARI)).ok).toBe(
        false,
      );
      expect(await newSignInNotices(ALICE)).toHaveLength(0);
      expect(await knownDeviceCount(database)).toBe(1);
    });
  });
}
