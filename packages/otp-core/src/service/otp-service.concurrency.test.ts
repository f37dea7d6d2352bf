/**
 * Concurrency on a real PostgreSQL server (PGlite has one connection, so it
 * cannot show these races). Every call runs on its own pooled connection.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  attemptFailures,
  cheapArgon2 as cheap,
  createTestDatabase,
  createTestService,
  justAuthenticated,
  latestCodeFor,
  liveCodeCounts,
  outboxCountOfKind,
  passcodeTable,
  resolveTestPostgres,
  sessionCount,
  TEST_SECRET,
  type TestDatabase,
  userTable,
} from "../testing/index.js";
import type { OtpService } from "./create-service.js";
import type { PasswordHasher } from "./password-hasher.js";

const server = await resolveTestPostgres();
if (!server.available) console.warn(`[otp-core] skipping the concurrency suite: ${server.reason}`);

const PARALLEL = 50;
const ALICE = "alice@example.com";
const PASSWORD = "correct horse battery staple";

describe.skipIf(!server.available)("concurrency on PostgreSQL", () => {
  let database: TestDatabase;
  let service: OtpService;

  beforeAll(async () => {
    if (!server.available) return;
    database = await createTestDatabase("postgres", server.url, { poolSize: PARALLEL });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
    // A generous send cap so the races, not the cap, are under test.
    service = createTestService(database, { policy: { maxSendsPerWindow: 1000 } });
    await service.register({ email: ALICE, password: PASSWORD });
  });

  it(`${PARALLEL} parallel wrong passwords compare exactly the budget (10), known or unknown address; the rest are refused before comparing`, async () => {
    const registered = await service.register({ email: "bob@example.com", password: PASSWORD });
    if (!registered.ok) throw new Error(registered.error.code);
    await service.verifyEmail(
      {
        email: "bob@example.com",
        code: await latestCodeFor(database, TEST_SECRET, "bob@example.com"),
      },
      { bindingToken: registered.value.bindingToken },
    );
    for (const email of ["bob@example.com", "nobody@example.com"]) {
      let compared = 0;
      const counting: PasswordHasher = {
        hash: (password) => cheap.hash(password),
        verify: (hash, password) => {
          compared += 1;
          return cheap.verify(hash, password);
        },
      };
      const guessing = createTestService(database, { passwordHasher: counting });
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          guessing.signIn({ email, password: `wrong password number ${i}` }),
        ),
      );
      const codes = answers.map((answer) => (answer.ok ? "ok" : answer.error.code));
      expect(codes.filter((code) => code === "INVALID_CREDENTIALS")).toHaveLength(10);
      expect(codes.filter((code) => code === "TOO_MANY_ATTEMPTS")).toHaveLength(PARALLEL - 10);
      expect(compared).toBe(10);
    }
  });

  async function aliceId(): Promise<string> {
    const [user] = await userTable(database);
    if (user === undefined) throw new Error("no user");
    return user.id;
  }

  it(`${PARALLEL} parallel issueCode for one user leave exactly one live code and no error`, async () => {
    const userId = await aliceId();
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        service.issueCode({ userId, codeType: "VERIFICATION" }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const table = await passcodeTable(database);
    expect(table).toHaveLength(1);
    expect(table[0]?.is_used).toBe(false);
    // Each issue deleted exactly its predecessor: the registration's code plus 49 replaced ones.
    const deleted = results.reduce((sum, r) => sum + (r.ok ? r.value.deletedCount : 0), 0);
    expect(deleted).toBe(PARALLEL);
    // The one code left is the one in the newest email.
    const code = await latestCodeFor(database, TEST_SECRET, ALICE);
    expect(await service.verifyEmail({ email: ALICE, code })).toMatchObject({ ok: true });
  });

  it(`${PARALLEL} parallel resends by address leave exactly one live code`, async () => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () => service.resendCode({ email: ALICE })),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await passcodeTable(database)).toHaveLength(1);
  });

  it(`${PARALLEL} parallel verifications with the right code give exactly one success`, async () => {
    const code = await latestCodeFor(database, TEST_SECRET, ALICE);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () => service.verifyEmail({ email: ALICE, code })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    // The others find the code used, or, while more than the budget's 5 attempts
    // are in flight at once (each holds a unit until its comparison ends), are
    // told to wait: never a second use.
    const refusals = new Set(results.flatMap((result) => (result.ok ? [] : [result.error.code])));
    expect([...refusals].every((c) => c === "OTP_ALREADY_USED" || c === "TOO_MANY_ATTEMPTS")).toBe(
      true,
    );
    const table = await passcodeTable(database);
    expect(table).toEqual([expect.objectContaining({ is_used: true })]);
    expect((await userTable(database))[0]?.is_verified).toBe(true);
    // Right codes are not guesses: the budget is untouched.
    expect(await attemptFailures(database, ALICE)).toBe(0);
  });

  it(`${PARALLEL} parallel wrong guesses cannot exceed the failure budget of 5`, async () => {
    const code = await latestCodeFor(database, TEST_SECRET, ALICE);
    const wrong = Array.from({ length: PARALLEL }, (_, i) =>
      String((Number(code) + 1 + i) % 1e8).padStart(8, "0"),
    );
    const results = await Promise.all(
      wrong.map((guess) => service.verifyEmail({ email: ALICE, code: guess })),
    );
    const codes = results.map((result) => (result.ok ? "OK" : result.error.code));
    expect(codes.filter((c) => c === "OTP_INVALID")).toHaveLength(5);
    expect(codes.filter((c) => c === "TOO_MANY_ATTEMPTS")).toHaveLength(PARALLEL - 5);
    expect(await attemptFailures(database, ALICE)).toBe(5);
    expect(await service.verifyEmail({ email: ALICE, code })).toMatchObject({
      error: { code: "TOO_MANY_ATTEMPTS" },
    });
  });

  it("the right code hidden among parallel wrong guesses is only compared if it got one of the 5 units", async () => {
    const code = await latestCodeFor(database, TEST_SECRET, ALICE);
    const guesses = Array.from({ length: PARALLEL - 1 }, (_, i) =>
      String((Number(code) + 1 + i) % 1e8).padStart(8, "0"),
    );
    guesses.splice(25, 0, code);
    const results = await Promise.all(
      guesses.map((guess) => service.verifyEmail({ email: ALICE, code: guess })),
    );
    // At most 5 wrong guesses compared. The right code, if it won a unit, gives
    // it back on success (ADR 2), so one more guess may then be compared.
    const wrongCompared = results.filter((r) => !r.ok && r.error.code === "OTP_INVALID").length;
    expect(wrongCompared).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.ok).length).toBeLessThanOrEqual(1);
    expect(await attemptFailures(database, ALICE)).toBeLessThanOrEqual(5);
  });

  it("parallel resends, verifications and registrations for one account never deadlock or fail", async () => {
    const code = await latestCodeFor(database, TEST_SECRET, ALICE);
    const calls = Array.from({ length: PARALLEL }, (_, i) => {
      if (i % 3 === 0) return service.resendCode({ email: ALICE });
      if (i % 3 === 1) return service.verifyEmail({ email: ALICE, code });
      return service.register({ email: ALICE, password: PASSWORD });
    });
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === "rejected")).toEqual([]);
    const live = await liveCodeCounts(database);
    expect(live.every((n) => n === 1)).toBe(true);
  });

  it("parallel confirmations of a reset, a sign-in code and an email change: exactly one wins each", async () => {
    const code = await latestCodeFor(database, TEST_SECRET, ALICE);
    await service.verifyEmail({ email: ALICE, code });
    const userId = await aliceId();

    await service.requestPasswordReset({ email: ALICE });
    const reset = await latestCodeFor(database, TEST_SECRET, ALICE, "PASSWORD_RESET_CODE");
    const resets = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        service.resetPassword({
          email: ALICE,
          code: reset,
          newPassword: `new password number ${i}`,
        }),
      ),
    );
    expect(resets.filter((r) => r.ok)).toHaveLength(1);

    await service.requestSignInCode({ email: ALICE });
    const signIn = await latestCodeFor(database, TEST_SECRET, ALICE, "SIGN_IN_CODE");
    const signIns = await Promise.all(
      Array.from({ length: 20 }, () => service.signInWithCode({ email: ALICE, code: signIn })),
    );
    expect(signIns.filter((r) => r.ok)).toHaveLength(1);
    expect(await sessionCount(database)).toBe(1);

    await service.requestEmailChange(
      { userId, newEmail: "alice.new@example.com" },
      justAuthenticated({ now: () => new Date() }),
    );
    const change = await latestCodeFor(
      database,
      TEST_SECRET,
      "alice.new@example.com",
      "EMAIL_CHANGE_CODE",
    );
    const changes = await Promise.all(
      Array.from({ length: 20 }, () =>
        service.confirmEmailChange(
          { userId, code: change },
          {},
          justAuthenticated({ now: () => new Date() }),
        ),
      ),
    );
    expect(changes.filter((r) => r.ok)).toHaveLength(1);
    expect(await outboxCountOfKind(database, "EMAIL_CHANGED")).toBe(1);
  });
});
