/**
 * The service contract, written once and run against every backend (PGlite
 * and a real PostgreSQL server). Table states are asserted exactly as the
 * seed's tables show them.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Result } from "../errors.js";
import { countOutboxByStatus } from "../repositories/outbox.js";
import { WEAK_PASSWORD_MESSAGE } from "../rules/password-strength.js";
import {
  attemptFailures,
  captureLogger,
  createTestService,
  defineServiceSuite,
  type LogLine,
  latestCodeFor,
  outboxCountOfKind,
  passcodeTable,
  pendingPasswords,
  readOutbox,
  replacedCodeHashes,
  snapshot,
  T0,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  userTable,
  wrongCode,
} from "../testing/index.js";
import type { OtpService } from "./create-service.js";
import { NO_RECIPIENT_KIND } from "./outbox-payload.js";

const ALICE = "alice@example.com";
const PASSWORD = "correct horse battery staple";

export function defineOtpServiceContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let logs: LogLine[];
  let service: OtpService;

  defineServiceSuite(
    backend,
    serverUrl,
    (suite) => {
      ({ database, clock, service } = suite);
    },
    () => {
      logs = [];
      return { logger: captureLogger(logs) };
    },
  );

  const codeFor = (email: string) => latestCodeFor(database, TEST_SECRET, email);
  /** A wrong code of the right shape, guaranteed to differ from `code`. */

  describe(`seed scenarios (${backend})`, () => {
    it("scenario 1, fresh registration: one VERIFICATION row, is_used = FALSE, expires in 10 minutes", async () => {
      expect(await service.register({ email: ALICE, password: PASSWORD })).toEqual({
        ok: true,
        value: { email: ALICE, bindingToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      });
      const users = await userTable(database);
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({ email: ALICE, is_verified: false, verified_at: null });
      // No active password until the registration's own client uses its code (ADR 10).
      expect(users[0]?.password_hash).toBeNull();

      const table = await passcodeTable(database);
      expect(table).toEqual([
        expect.objectContaining({
          email: ALICE,
          code_type: "VERIFICATION",
          is_used: false,
          expires_at: "2025-12-01 11:40:00",
          used_at: null,
        }),
      ]);
      const code = await codeFor(ALICE);
      expect(code).toMatch(/^\d{8}$/);
      expect(table[0]?.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(table[0]?.code_hash).not.toContain(code);
    });

    it("scenario 1 (verification): the same row becomes is_used = TRUE and the user is_verified = TRUE", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const [before] = await passcodeTable(database);
      clock.advanceSeconds(60);
      const result = await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) });
      expect(result).toMatchObject({ ok: true, value: { email: ALICE } });

      const table = await passcodeTable(database);
      expect(table).toEqual([{ ...before, is_used: true, used_at: "2025-12-01 11:31:00" }]);
      const [user] = await userTable(database);
      expect(user).toMatchObject({ is_verified: true, verified_at: "2025-12-01 11:31:00" });
    });

    it("scenario 2, resend: the old code is deleted, one new unused row, the old code no longer works", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const oldCode = await codeFor(ALICE);
      const [oldRow] = await passcodeTable(database);
      clock.advanceSeconds(15 * 60); // the seed resends at 11:45
      expect(await service.resendCode({ email: ALICE })).toEqual({
        ok: true,
        value: { email: ALICE },
      });

      const table = await passcodeTable(database);
      expect(table).toHaveLength(1);
      expect(table[0]).toMatchObject({
        code_type: "VERIFICATION",
        is_used: false,
        expires_at: "2025-12-01 11:55:00",
      });
      expect(table[0]?.id).not.toBe(oldRow?.id);
      expect(table[0]?.code_hash).not.toBe(oldRow?.code_hash);
      expect(logs).toContainEqual(
        expect.objectContaining({
          message: "passcode issued",
          fields: expect.objectContaining({ deletedCount: 1 }),
        }),
      );

      // The old code no longer works; the answer says a newer one was sent.
      const newCode = await codeFor(ALICE);
      if (newCode !== oldCode) {
        expect(await service.verifyEmail({ email: ALICE, code: oldCode })).toMatchObject({
          ok: false,
          error: { code: "OTP_REPLACED" },
        });
      }
      expect(await service.verifyEmail({ email: ALICE, code: newCode })).toMatchObject({
        ok: true,
      });
    });

    it("scenario 3, three requests: always exactly one row, each replacing the last", async () => {
      await service.register({ email: ALICE, password: PASSWORD }); // 1st request at 11:30
      const seen: string[] = [];
      for (const minutes of [5, 5]) {
        clock.advanceSeconds(minutes * 60); // 2nd at 11:35, 3rd at 11:40
        await service.resendCode({ email: ALICE });
        const table = await passcodeTable(database);
        expect(table).toHaveLength(1);
        expect(table[0]?.is_used).toBe(false);
        seen.push(table[0]?.id ?? "");
      }
      expect(new Set(seen).size).toBe(2);
      const [last] = await passcodeTable(database);
      expect(last?.expires_at).toBe("2025-12-01 11:50:00");
      const deleted = logs
        .filter((line) => line.message === "passcode issued")
        .map((line) => (line.fields as { deletedCount: number }).deletedCount);
      expect(deleted).toEqual([0, 1, 1]);
    });

    it("an immediate second resend succeeds (no cooldown by default)", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      expect((await service.resendCode({ email: ALICE })).ok).toBe(true);
      expect((await service.resendCode({ email: ALICE })).ok).toBe(true);
      expect(await passcodeTable(database)).toHaveLength(1);
    });

    it("issuing deletes used codes too: a verified account's used code is replaced", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const verified = await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) });
      if (!verified.ok) throw new Error("verification failed");
      const issued = await service.issueCode({
        userId: verified.value.userId,
        codeType: "VERIFICATION",
      });
      expect(issued).toMatchObject({ ok: true, value: { deletedCount: 1 } });
      const table = await passcodeTable(database);
      expect(table).toHaveLength(1);
      expect(table[0]?.is_used).toBe(false);
    });

    it("keeps code types apart: one live row per (user, code type)", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      await service.resendCode({ email: ALICE, codeType: "PASSWORD_RESET" });
      await service.resendCode({ email: ALICE, codeType: "SIGN_IN" });
      await service.resendCode({ email: ALICE, codeType: "PASSWORD_RESET" });
      const table = await passcodeTable(database);
      expect(table.map((row) => [row.code_type, row.is_used])).toEqual([
        ["VERIFICATION", false],
        ["PASSWORD_RESET", false],
        ["SIGN_IN", false],
      ]);
    });
  });

  describe(`verification (${backend})`, () => {
    beforeEach(async () => {
      await service.register({ email: ALICE, password: PASSWORD });
    });

    it("accepts the code typed with spaces or a dash, and in any address case", async () => {
      const code = await codeFor(ALICE);
      const typed = `${code.slice(0, 4)} - ${code.slice(4)}`;
      expect(
        await service.verifyEmail({ email: "  Alice@Example.COM ", code: typed }),
      ).toMatchObject({ ok: true });
    });

    it("a used code is refused with OTP_ALREADY_USED and changes nothing", async () => {
      const code = await codeFor(ALICE);
      await service.verifyEmail({ email: ALICE, code });
      const before = await snapshot(database);
      const failuresBefore = await attemptFailures(database, ALICE);
      expect(await service.verifyEmail({ email: ALICE, code })).toMatchObject({
        ok: false,
        error: { code: "OTP_ALREADY_USED" },
      });
      expect(await snapshot(database)).toEqual(before);
      expect(await attemptFailures(database, ALICE)).toBe(failuresBefore);
    });

    it("an expired code is refused with OTP_EXPIRED and changes nothing", async () => {
      const code = await codeFor(ALICE);
      clock.advanceSeconds(10 * 60); // the default lifetime
      const before = await snapshot(database);
      expect(await service.verifyEmail({ email: ALICE, code })).toMatchObject({
        ok: false,
        error: { code: "OTP_EXPIRED" },
      });
      expect(await snapshot(database)).toEqual(before);
      clock.advanceSeconds(-1);
      expect(await service.verifyEmail({ email: ALICE, code })).toMatchObject({ ok: true });
    });

    it("an unknown address answers like a wrong code and changes no account, code or email (only its failure count, as for any address)", async () => {
      const before = await snapshot(database);
      expect(
        await service.verifyEmail({ email: "nobody@example.com", code: "12345678" }),
      ).toMatchObject({
        ok: false,
        error: { code: "OTP_INVALID" },
      });
      expect(await snapshot(database)).toEqual(before);
    });

    it("a wrong code at an unknown address is answered exactly as at an account: the same tries left, then TOO_MANY_ATTEMPTS until the same time", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      await service.requestSignInCode({ email: ALICE });
      const wrong = wrongCode(await codeFor(ALICE));
      const answer = (result: Result<unknown>) =>
        result.ok
          ? "ok"
          : [result.error.code, result.error.attemptsLeft, result.error.retryAt?.toISOString()]
              .filter((part) => part !== undefined)
              .join(" ");
      const flows = {
        verifyEmail: (email: string) => service.verifyEmail({ email, code: wrong }),
        signInWithCode: (email: string) => service.signInWithCode({ email, code: wrong }),
      };
      for (const [name, guess] of Object.entries(flows)) {
        const account: string[] = [];
        const ghost: string[] = [];
        for (let i = 0; i < 7; i++) {
          account.push(`${name}: ${answer(await guess(ALICE))}`);
          ghost.push(`${name}: ${answer(await guess("nobody@example.com"))}`);
          clock.advanceSeconds(1);
        }
        expect(ghost).toEqual(account);
        expect(account.at(-1)).toMatch(new RegExp(`^${name}: TOO_MANY_ATTEMPTS `));
      }
    });

    it("malformed input gives INVALID_INPUT with field errors and touches nothing", async () => {
      const before = await snapshot(database);
      const failuresBefore = await attemptFailures(database, ALICE);
      const cases: Array<[unknown, string]> = [
        [{ email: "not-an-email", code: "12345678" }, "email"],
        [{ email: ALICE, code: "1234567" }, "code"],
        [{ email: ALICE, code: "123456789" }, "code"],
        [{ email: ALICE, code: "1234567a" }, "code"],
        [{ email: ALICE, code: "" }, "code"],
        [{ email: ALICE }, "code"],
        [{ code: "12345678" }, "email"],
        [{ email: ALICE, code: 12345678 }, "code"],
        [null, "_"],
        ["text", "_"],
      ];
      for (const [input, field] of cases) {
        // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong shapes
        const result = await service.verifyEmail(input as any);
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.error.code).toBe("INVALID_INPUT");
        expect(Object.keys(result.error.fieldErrors ?? {})).toContain(field);
      }
      expect(await snapshot(database)).toEqual(before);
      expect(await attemptFailures(database, ALICE)).toBe(failuresBefore);
    });

    it("wrong codes spend the budget; after 5 even the right code is refused until the window ends", async () => {
      const code = await codeFor(ALICE);
      for (let left = 4; left >= 0; left--) {
        const refused = await service.verifyEmail({ email: ALICE, code: wrongCode(code) });
        expect(refused).toMatchObject({
          ok: false,
          error: { code: "OTP_INVALID", attemptsLeft: left },
        });
        // Only the last try says when the next is possible: the end of the window it opened.
        if (!refused.ok) {
          expect(refused.error.retryAt).toEqual(
            left === 0 ? new Date(T0.getTime() + 900_000) : undefined,
          );
        }
      }
      const blocked = await service.verifyEmail({ email: ALICE, code });
      expect(blocked).toMatchObject({ ok: false, error: { code: "TOO_MANY_ATTEMPTS" } });
      if (!blocked.ok) expect(blocked.error.retryAt).toEqual(new Date(T0.getTime() + 900_000));
      expect((await userTable(database))[0]?.is_verified).toBe(false);

      // A new code does not restore the budget.
      clock.advanceSeconds(600);
      await service.resendCode({ email: ALICE });
      const fresh = await codeFor(ALICE);
      expect(await service.verifyEmail({ email: ALICE, code: fresh })).toMatchObject({
        error: { code: "TOO_MANY_ATTEMPTS" },
      });

      clock.advanceSeconds(300); // the window that opened at the first failure is over
      expect(await service.verifyEmail({ email: ALICE, code: fresh })).toMatchObject({ ok: true });
    });

    it("a correct code does not spend the budget", async () => {
      const code = await codeFor(ALICE);
      await service.verifyEmail({ email: ALICE, code: wrongCode(code) });
      await service.verifyEmail({ email: ALICE, code });
      expect(await attemptFailures(database, ALICE)).toBe(1);
    });
  });

  describe(`a replaced code (${backend})`, () => {
    it("answers OTP_REPLACED without spending the budget; only its keyed hash is kept, beside the one live row", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const first = await codeFor(ALICE);
      const [firstRow] = await passcodeTable(database);
      clock.advanceSeconds(5);
      await service.resendCode({ email: ALICE });
      const second = await codeFor(ALICE);

      // The seed's rule holds for the rows: every earlier code deleted, one live row.
      const table = await passcodeTable(database);
      expect(table).toHaveLength(1);
      expect(table[0]?.id).not.toBe(firstRow?.id);
      // Beside it, the replaced code's HMAC (the value its own row held), never the code.
      expect(await replacedCodeHashes(database)).toEqual([
        { code_hash: table[0]?.code_hash, replaced_code_hash: firstRow?.code_hash },
      ]);
      expect(firstRow?.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(firstRow?.code_hash).not.toContain(first);

      const failuresBefore = (await attemptFailures(database, ALICE)) ?? 0;
      for (let i = 0; i < 3; i++) {
        expect(await service.verifyEmail({ email: ALICE, code: first })).toEqual({
          ok: false,
          error: { code: "OTP_REPLACED", message: "A newer code was sent; use the latest email." },
        });
      }
      expect((await attemptFailures(database, ALICE)) ?? 0).toBe(failuresBefore);

      // A code two emails back is only a wrong code (counted); the one just replaced still says so.
      clock.advanceSeconds(5);
      await service.resendCode({ email: ALICE });
      expect(await service.verifyEmail({ email: ALICE, code: first })).toMatchObject({
        error: { code: first === second ? "OTP_REPLACED" : "OTP_INVALID" },
      });
      expect(await service.verifyEmail({ email: ALICE, code: second })).toMatchObject({
        error: { code: "OTP_REPLACED" },
      });
      expect((await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) })).ok).toBe(
        true,
      );
    });

    it("a used code is not kept as replaced: after the next code it is a wrong code", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) });
      await service.requestSignInCode({ email: ALICE });
      const used = await latestCodeFor(database, TEST_SECRET, ALICE, "SIGN_IN_CODE");
      expect((await service.signInWithCode({ email: ALICE, code: used })).ok).toBe(true);
      clock.advanceSeconds(5);
      await service.requestSignInCode({ email: ALICE });
      const live = (await replacedCodeHashes(database)).at(-1);
      expect(live?.replaced_code_hash).toBeNull();
      expect(await service.signInWithCode({ email: ALICE, code: used })).toMatchObject({
        error: { code: "OTP_INVALID" },
      });
    });
  });

  describe(`register and resend answer alike for every address (${backend})`, () => {
    it("registering an existing verified address leaves it unchanged and answers as for a new one", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) });
      const before = await snapshot(database);
      clock.advanceSeconds(5);
      const again = await service.register({ email: ALICE, password: "another password entirely" });
      const fresh = await service.register({ email: "bob@example.com", password: PASSWORD });
      const token = expect.any(String);
      expect(again).toEqual({ ok: true, value: { email: ALICE, bindingToken: token } });
      expect(fresh).toEqual({ ok: true, value: { email: "bob@example.com", bindingToken: token } });
      const after = await snapshot(database);
      expect(after.users.find((u) => u.email === ALICE)).toEqual(before.users[0]);
      expect(after.passcodes.filter((p) => p.email === ALICE)).toEqual(before.passcodes);
    });

    it("registering an existing unverified address replaces the pending password and sends a fresh code", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const [userBefore] = await userTable(database);
      const [codeBefore] = await passcodeTable(database);
      const [pendingBefore] = await pendingPasswords(database);
      clock.advanceSeconds(5);
      expect(
        await service.register({ email: "ALICE@example.com", password: "a different password" }),
      ).toEqual({
        ok: true,
        value: { email: ALICE, bindingToken: expect.any(String) },
      });
      const users = await userTable(database);
      expect(users).toHaveLength(1);
      expect(users[0]?.id).toBe(userBefore?.id);
      expect(users[0]?.password_hash).toBeNull();
      const [pendingAfter] = await pendingPasswords(database);
      expect(pendingAfter?.pending_password_hash).toMatch(/^\$argon2id\$/);
      expect(pendingAfter?.pending_password_hash).not.toBe(pendingBefore?.pending_password_hash);
      expect(pendingAfter?.binding_hash).not.toBe(pendingBefore?.binding_hash);
      const codes = await passcodeTable(database);
      expect(codes).toHaveLength(1);
      expect(codes[0]?.id).not.toBe(codeBefore?.id);
    });

    it("resend gives the same answer for unknown, unverified and verified addresses", async () => {
      await service.register({ email: "unverified@example.com", password: PASSWORD });
      await service.register({ email: "verified@example.com", password: PASSWORD });
      await service.verifyEmail({
        email: "verified@example.com",
        code: await codeFor("verified@example.com"),
      });
      const outboxBefore = (await readOutbox(database, TEST_SECRET)).length;
      const answers = await Promise.all(
        ["unknown@example.com", "unverified@example.com", "verified@example.com"].map(
          async (email) => {
            const result = await service.resendCode({ email });
            return result.ok ? { ...result, value: { ...result.value, email: "*" } } : result;
          },
        ),
      );
      expect(answers[0]).toEqual({ ok: true, value: { email: "*" } });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      // Only the unverified account actually got an email; the two others queued a decoy each
      // (the same work, ADR 25), which no one can open and delivery never sends.
      expect((await readOutbox(database, TEST_SECRET)).length).toBe(outboxBefore + 1);
      expect(await outboxCountOfKind(database, NO_RECIPIENT_KIND)).toBe(2);
      // ... and operations count emails, not decoys.
      const emails = Object.values(await countOutboxByStatus(database.db));
      expect(emails.reduce((sum, n) => sum + n, 0)).toBe(outboxBefore + 1);
    });

    it("caps sends per address at 10 per hour, alike for unknown addresses, and reopens after the window", async () => {
      await service.register({ email: ALICE, password: PASSWORD }); // send 1
      for (let i = 2; i <= 10; i++)
        expect((await service.resendCode({ email: ALICE })).ok).toBe(true);
      for (let i = 1; i <= 10; i++) await service.resendCode({ email: "ghost@example.com" });
      const before = await snapshot(database);
      const refused = await service.resendCode({ email: ALICE });
      const ghost = await service.resendCode({ email: "ghost@example.com" });
      expect(refused).toMatchObject({ ok: false, error: { code: "SEND_LIMIT_REACHED" } });
      expect(ghost).toEqual(refused);
      if (!refused.ok) {
        expect(refused.error.retryAt).toEqual(new Date(T0.getTime() + 3600_000));
        expect(refused.error.reason).toBe("HOURLY_CAP");
      }
      expect(await snapshot(database)).toEqual(before);
      expect(await service.register({ email: ALICE, password: PASSWORD })).toMatchObject({
        error: { code: "SEND_LIMIT_REACHED" },
      });
      clock.advanceSeconds(3600);
      expect((await service.resendCode({ email: ALICE })).ok).toBe(true);
    });

    it("honours a configured cooldown", async () => {
      service = createTestService(database, {
        clock: clock.now,
        policy: { sendCooldownSeconds: 60 },
      });
      await service.register({ email: ALICE, password: PASSWORD });
      expect(await service.resendCode({ email: ALICE })).toMatchObject({
        error: {
          code: "SEND_LIMIT_REACHED",
          reason: "COOLDOWN",
          retryAt: new Date(clock.now().getTime() + 60_000),
        },
      });
      clock.advanceSeconds(60);
      expect((await service.resendCode({ email: ALICE })).ok).toBe(true);
    });

    it("counts the cooldown per code type: a sign-in code at once after verifying; the cap stays", async () => {
      service = createTestService(database, {
        clock: clock.now,
        policy: { sendCooldownSeconds: 60, maxSendsPerWindow: 3 },
      });
      await service.register({ email: ALICE, password: PASSWORD });
      expect((await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) })).ok).toBe(
        true,
      );
      // A code of another type, at once: granted.
      expect((await service.requestSignInCode({ email: ALICE })).ok).toBe(true);
      // The same type again within the cooldown: refused, until the cooldown of that type ends.
      expect(await service.requestSignInCode({ email: ALICE })).toMatchObject({
        error: {
          code: "SEND_LIMIT_REACHED",
          reason: "COOLDOWN",
          retryAt: new Date(clock.now().getTime() + 60_000),
        },
      });
      expect((await service.requestPasswordReset({ email: ALICE })).ok).toBe(true);
      // The cap (3 an hour) counts every type: a fourth send waits for the window.
      clock.advanceSeconds(60);
      expect(await service.requestSignInCode({ email: ALICE })).toMatchObject({
        error: { code: "SEND_LIMIT_REACHED", reason: "HOURLY_CAP" },
      });
      // An address without an account is answered alike.
      const ghost = "ghost.cooldown@example.com";
      expect((await service.resendCode({ email: ghost })).ok).toBe(true);
      expect((await service.requestSignInCode({ email: ghost })).ok).toBe(true);
      expect(await service.requestSignInCode({ email: ghost })).toMatchObject({
        error: { code: "SEND_LIMIT_REACHED", reason: "COOLDOWN" },
      });
    });

    it("validates register and resend input", async () => {
      const before = await snapshot(database);
      const bad: Array<
        [() => Promise<{ ok: boolean; error?: { code: string; fieldErrors?: object } }>, string]
      > = [
        () => service.register({ email: "nope", password: PASSWORD }),
        () => service.register({ email: ALICE, password: "short" }),
        () => service.register({ email: ALICE, password: " ".repeat(12) }),
        () => service.register({ email: ALICE, password: "x".repeat(129) }),
        () => service.register({ email: `${"a".repeat(250)}@example.com`, password: PASSWORD }),
        () => service.resendCode({ email: "nope" }),
        // biome-ignore lint/suspicious/noExplicitAny: an unknown code type
        () => service.resendCode({ email: ALICE, codeType: "EMAIL_CHANGE" as any }),
      ].map((call) => [call, "INVALID_INPUT"]);
      for (const [call, code] of bad) {
        const result = await call();
        expect(result.ok).toBe(false);
        expect(result.error?.code).toBe(code);
        expect(Object.keys(result.error?.fieldErrors ?? {}).length).toBeGreaterThan(0);
      }
      expect(await snapshot(database)).toEqual(before);
    });

    // Issue 23, finding 7: 15 characters are not enough when they are a pattern or the address.
    const GUESSABLE = [
      "password1234567",
      "aaaaaaaaaaaaaaa",
      "123456789012345",
      "qwertyuiopasdfgh",
      ALICE,
      `${ALICE}${ALICE}`,
    ];

    it("registration refuses guessable passwords of 15+ characters and writes nothing; a four-word passphrase is accepted", async () => {
      const before = await snapshot(database);
      for (const password of GUESSABLE) {
        const result = await service.register({ email: ALICE, password });
        expect(result, password).toMatchObject({
          ok: false,
          error: { code: "INVALID_INPUT", fieldErrors: { password: [WEAK_PASSWORD_MESSAGE] } },
        });
      }
      expect(await snapshot(database)).toEqual(before);
      expect(
        await service.register({ email: ALICE, password: "violet canyon lantern mosaic" }),
      ).toMatchObject({ ok: true });
    }, 60_000);

    it("a reset refuses a guessable new password and leaves the code usable", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) });
      await service.requestPasswordReset({ email: ALICE });
      const code = await latestCodeFor(database, TEST_SECRET, ALICE, "PASSWORD_RESET_CODE");
      for (const newPassword of GUESSABLE) {
        expect(
          await service.resetPassword({ email: ALICE, code, newPassword }),
          newPassword,
        ).toMatchObject({
          ok: false,
          error: { code: "INVALID_INPUT", fieldErrors: { newPassword: [WEAK_PASSWORD_MESSAGE] } },
        });
      }
      expect(
        await service.resetPassword({ email: ALICE, code, newPassword: "tiger river cloud spoon" }),
      ).toMatchObject({ ok: true });
    }, 60_000);
  });

  describe(`issueCode and cleanup (${backend})`, () => {
    it("issueCode for an unknown user id is USER_NOT_FOUND", async () => {
      expect(
        await service.issueCode({
          userId: "00000000-0000-4000-8000-000000000000",
          codeType: "SIGN_IN",
        }),
      ).toMatchObject({ ok: false, error: { code: "USER_NOT_FOUND" } });
    });

    it("seals the email in the outbox: no plaintext code in the database", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      const code = await codeFor(ALICE);
      const [row] = await readOutbox(database, TEST_SECRET);
      expect(row).toMatchObject({ kind: "VERIFICATION_CODE", status: "PENDING", attempts: 0 });
      // No OpenTelemetry SDK here: no trace context to keep (the API's tracing test has one).
      expect(row?.traceContext).toBeNull();
      // Every email states the lifetime it was issued with: 10 minutes by default.
      expect(row?.message).toMatchObject({
        to: ALICE,
        code,
        ttlSeconds: 600,
        expiresAt: "2025-12-01T11:40:00.000Z",
      });
      expect(Buffer.from(row?.payload ?? []).toString("latin1")).not.toContain(code);
      expect(JSON.stringify(await snapshot(database))).not.toContain(code);
      expect(JSON.stringify(logs)).not.toContain(code);
    });

    it("cleanup deletes used and expired codes, keeps live ones, and returns the counts", async () => {
      for (const email of ["used@example.com", "expired@example.com", "live@example.com"]) {
        await service.register({ email, password: PASSWORD });
      }
      await service.verifyEmail({
        email: "used@example.com",
        code: await codeFor("used@example.com"),
      });
      clock.advanceSeconds(14 * 60);
      await service.resendCode({ email: "live@example.com" });
      clock.advanceSeconds(2 * 60); // expired@ is now past its expiry; live@ is not

      expect(await service.cleanup({ used: false, expired: true })).toMatchObject({
        ok: true,
        value: { usedDeleted: 0, expiredDeleted: 1 },
      });
      expect(await service.cleanup({ used: true, expired: false })).toMatchObject({
        ok: true,
        value: { usedDeleted: 1, expiredDeleted: 0 },
      });
      const left = await passcodeTable(database);
      expect(left.map((row) => row.email)).toEqual(["live@example.com"]);
      expect(await service.cleanup()).toMatchObject({
        value: { usedDeleted: 0, expiredDeleted: 0 },
      });
    });

    it("cleanup --older-than spares recent codes", async () => {
      await service.register({ email: ALICE, password: PASSWORD });
      await service.verifyEmail({ email: ALICE, code: await codeFor(ALICE) });
      expect(await service.cleanup({ olderThan: T0 })).toMatchObject({ value: { usedDeleted: 0 } });
      expect(await service.cleanup({ olderThan: new Date(T0.getTime() + 1000) })).toMatchObject({
        value: { usedDeleted: 1 },
      });
    });
  });
}
