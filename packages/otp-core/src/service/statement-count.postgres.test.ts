/**
 * What each operation costs PostgreSQL, counted on the wire (not timed, so
 * deterministic): the statements sent, BEGIN and COMMIT included, and the
 * transactions they make (each one a commit; a statement outside BEGIN is a
 * transaction of its own). The NOTIFY that wakes delivery is left out: it
 * follows the commit, and one stands for every email queued within 10 ms.
 * Pinned: a change that adds a statement or a commit
 * to a hot path fails here, and one that removes some updates the pins
 * (issue 25; BENCHMARKS.md gives what they cost in time).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  createTestService,
  latestCodeFor,
  latestLinkFor,
  resolveTestPostgres,
  T0,
  TEST_SECRET,
  TestClock,
  type TestDatabase,
  wrongCode,
} from "../testing/index.js";
import type { OtpService } from "./create-service.js";

const ALICE = "alice@example.com";
const PASSWORD = "correct horse battery staple";

const WAKE_UP = "SELECT pg_notify(";

interface Cost {
  statements: number;
  transactions: number;
}

/** Counts what the pool writes to its connections while `run` runs. */
class WireCounter {
  private counting = false;
  private cost: Cost = { statements: 0, transactions: 0 };
  /** Connections inside BEGIN ... COMMIT/ROLLBACK. */
  private readonly open = new Set<number>();

  readonly onWire = (connection: number, text: string): void => {
    const verb = text.trimStart().split(/\s/, 1)[0]?.toLowerCase() ?? "";
    if (verb === "begin") this.open.add(connection);
    const inside = this.open.has(connection);
    if (verb === "commit" || verb === "rollback") this.open.delete(connection);
    // The outbox's wake-up: coalesced across operations (outbox-notifier.ts), no one's own cost.
    if (!this.counting || text.startsWith(WAKE_UP)) return;
    this.cost.statements += 1;
    if (verb === "begin" || !inside) this.cost.transactions += 1;
  };

  async measure<T>(run: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
    this.cost = { statements: 0, transactions: 0 };
    this.counting = true;
    try {
      const result = await run();
      return { result, cost: this.cost };
    } finally {
      this.counting = false;
    }
  }
}

const server = await resolveTestPostgres();

if (!server.available) {
  console.warn(`[otp-core] skipping the PostgreSQL statement-count suite: ${server.reason}`);
  describe.skip(`statements per operation on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
} else {
  describe("statements and commits per operation on PostgreSQL", () => {
    const wire = new WireCounter();
    let database: TestDatabase;
    let clock: TestClock;
    let service: OtpService;
    beforeAll(async () => {
      database = await createTestDatabase("postgres", server.url, { onWire: wire.onWire });
    });
    afterAll(async () => {
      await database?.close();
    });
    beforeEach(async () => {
      await database.reset();
      clock = new TestClock(T0);
      service = createTestService(database, { clock: clock.now });
    });

    const codeFor = (kind = "VERIFICATION_CODE") =>
      latestCodeFor(database, TEST_SECRET, ALICE, kind);

    async function verifiedAccount(): Promise<void> {
      const { bindingToken } = ok(await service.register({ email: ALICE, password: PASSWORD }));
      ok(await service.verifyEmail({ email: ALICE, code: await codeFor() }, { bindingToken }));
    }

    it("registration, resend and verification", async () => {
      const registration = await wire.measure(() =>
        service.register({ email: ALICE, password: PASSWORD }),
      );
      const { bindingToken } = ok(registration.result);
      clock.advanceSeconds(60);
      const resend = await wire.measure(() => service.resendCode({ email: ALICE }));
      ok(resend.result);
      const code = await codeFor();
      const wrong = await wire.measure(() =>
        service.verifyEmail({ email: ALICE, code: wrongCode(code) }, { bindingToken }),
      );
      expect(wrong.result).toMatchObject({ ok: false, error: { code: "OTP_INVALID" } });
      const verification = await wire.measure(() =>
        service.verifyEmail({ email: ALICE, code }, { bindingToken }),
      );
      expect(verification.result).toMatchObject({ ok: true, value: { passwordActive: true } });
      const unknown = await wire.measure(() =>
        service.verifyEmail({ email: "nobody@example.com", code }),
      );
      expect(unknown.result).toMatchObject({ ok: false, error: { code: "OTP_INVALID" } });

      expect({
        registration: registration.cost,
        resend: resend.cost,
        verification: verification.cost,
        wrongCode: wrong.cost,
        unknownAddress: unknown.cost,
      }).toEqual({
        registration: { statements: 4, transactions: 1 },
        resend: { statements: 4, transactions: 1 },
        verification: { statements: 4, transactions: 1 },
        wrongCode: { statements: 3, transactions: 1 },
        unknownAddress: { statements: 3, transactions: 1 },
      });
    });

    it("password sign-in: a wrong password costs one statement, for an account or an unknown address alike", async () => {
      await verifiedAccount();
      const wrong = await wire.measure(() =>
        service.signIn({ email: ALICE, password: "not the password at all" }),
      );
      expect(wrong.result).toMatchObject({ ok: false, error: { code: "INVALID_CREDENTIALS" } });
      const unknown = await wire.measure(() =>
        service.signIn({ email: "nobody@example.com", password: "not the password at all" }),
      );
      expect(unknown.result).toMatchObject({ ok: false, error: { code: "INVALID_CREDENTIALS" } });
      const right = await wire.measure(() => service.signIn({ email: ALICE, password: PASSWORD }));
      ok(right.result);
      // Presumed wrong: the statement that spends the attempt records SIGN_IN_BLOCKED (ADR 25).
      expect({ wrong: wrong.cost, unknown: unknown.cost, right: right.cost }).toEqual({
        wrong: { statements: 1, transactions: 1 },
        unknown: { statements: 1, transactions: 1 },
        right: { statements: 2, transactions: 2 },
      });
    });

    it("sign-in by code (from a known device too), by link, and password reset", async () => {
      await verifiedAccount();
      clock.advanceSeconds(60);
      const signInRequest = await wire.measure(() => service.requestSignInCode({ email: ALICE }));
      ok(signInRequest.result);
      const signInCode = await codeFor("SIGN_IN_CODE");
      const signIn = await wire.measure(() =>
        service.signInWithCode({ email: ALICE, code: signInCode }),
      );
      const { deviceToken } = ok(signIn.result);
      clock.advanceSeconds(60);
      ok(await service.requestSignInCode({ email: ALICE }));
      const deviceCode = await codeFor("SIGN_IN_CODE");
      // A device the account knows: one read of it first, then the check (ADR 20).
      const knownDevice = await wire.measure(() =>
        service.signInWithCode({ email: ALICE, code: deviceCode }, { deviceToken }),
      );
      ok(knownDevice.result);
      clock.advanceSeconds(60);
      ok(await service.requestSignInCode({ email: ALICE }));
      const token = await latestLinkFor(database, TEST_SECRET, ALICE, "SIGN_IN_CODE");
      const link = await wire.measure(() => service.useLink({ token }));
      expect(link.result).toMatchObject({ ok: true, value: { step: "SIGN_IN" } });
      clock.advanceSeconds(60);
      ok(await service.requestPasswordReset({ email: ALICE }));
      const resetCode = await codeFor("PASSWORD_RESET_CODE");
      const reset = await wire.measure(() =>
        service.resetPassword({ email: ALICE, code: resetCode, newPassword: "another passphrase" }),
      );
      ok(reset.result);

      expect({
        signInRequest: signInRequest.cost,
        signInWithCode: signIn.cost,
        signInFromKnownDevice: knownDevice.cost,
        signInByLink: link.cost,
        resetPassword: reset.cost,
      }).toEqual({
        signInRequest: { statements: 4, transactions: 1 },
        signInWithCode: { statements: 4, transactions: 1 },
        signInFromKnownDevice: { statements: 5, transactions: 2 },
        signInByLink: { statements: 5, transactions: 2 },
        resetPassword: { statements: 4, transactions: 1 },
      });
    });
  });
}

function ok<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}
