/**
 * Device-bound budgets (issue 23 finding 1, ADR 20): a client presenting the
 * signed device cookie of an earlier sign-in of the account keeps a password
 * budget, attempt windows and a cap of consecutive failures of its own, which
 * failures from every other client never spend; clients the account has not
 * seen keep the address's and the account's limits. Run on every backend.
 */
import { describe, expect, it } from "vitest";
import type { Result } from "../errors.js";
import type { ClientContext } from "../rules/client-context.js";
import {
  latestCodeFor,
  latestLinkFor,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  wrongCode,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";

const OWNER = "owner@example.com";
const ATTACKER = "attacker@example.com";
const PASSWORD = "correct horse battery staple";
const WRONG = "not the password at all";
const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

export function defineDeviceBudgetsContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  // A generous send cap: the owner asks for many codes.
  defineServiceSuite(
    backend,
    serverUrl,
    (suite) => {
      ({ database, clock, service } = suite);
    },
    () => ({ policy: { maxSendsPerWindow: 1000 } }),
  );

  const answerOf = (result: Result<unknown>) => (result.ok ? "ok" : result.error.code);

  /** A verified account with a password; returns the device cookie of a sign-in from `client`. */
  async function account(email: string, client: ClientContext): Promise<string> {
    const registered = await service.register({ email, password: PASSWORD });
    if (!registered.ok) throw new Error(registered.error.code);
    const verified = await service.verifyEmail(
      { email, code: await latestCodeFor(database, TEST_SECRET, email) },
      { bindingToken: registered.value.bindingToken },
    );
    if (!verified.ok) throw new Error(verified.error.code);
    const signedIn = await service.signIn({ email, password: PASSWORD }, client);
    if (!signedIn.ok) throw new Error(signedIn.error.code);
    return signedIn.value.deviceToken;
  }

  /** What an attacker does each round: 10 wrong passwords, 5 wrong sign-in and 5 wrong reset codes. */
  async function attack(attacker: ClientContext): Promise<string[]> {
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      answers.push(answerOf(await service.signIn({ email: OWNER, password: WRONG }, attacker)));
    }
    for (let i = 0; i < 5; i++) {
      const code = wrongCode(`${i}2345678`);
      answers.push(answerOf(await service.signInWithCode({ email: OWNER, code }, attacker)));
      answers.push(
        answerOf(
          await service.resetPassword(
            { email: OWNER, code, newPassword: `${PASSWORD} taken` },
            attacker,
          ),
        ),
      );
    }
    return answers;
  }

  /** The owner's device signs in by password, by a fresh code and by its link. */
  async function ownerSignsIn(device: ClientContext): Promise<string[]> {
    const answers = [answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, device))];
    await service.requestSignInCode({ email: OWNER });
    const code = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
    answers.push(answerOf(await service.signInWithCode({ email: OWNER, code }, device)));
    await service.requestSignInCode({ email: OWNER });
    const token = await latestLinkFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
    answers.push(answerOf(await service.useLink({ token }, device)));
    return answers;
  }

  describe(`device-bound budgets (${backend})`, () => {
    it("the owner's device signs in throughout an attack (password, code, link, reset), also past 100 failures from other clients; an unseen client is held back", async () => {
      const ownerDevice = {
        ip: "198.51.100.4",
        userAgent: FIREFOX,
        deviceToken: await account(OWNER, { ip: "198.51.100.4", userAgent: FIREFOX }),
      };
      // The attacker's device cookie is genuine (its own account's), but the owner's account never saw it.
      const attacker = {
        ip: "203.0.113.66",
        userAgent: "curl/8.5",
        deviceToken: await account(ATTACKER, { ip: "203.0.113.66" }),
      };
      const unseen = { ip: "192.0.2.10", userAgent: FIREFOX };
      for (let round = 1; round <= 6; round++) {
        const attacked = await attack(attacker);
        if (round <= 5) {
          // Every failure counted against the address: 20 a round, 100 after five rounds.
          expect(attacked.filter((a) => a === "INVALID_CREDENTIALS")).toHaveLength(10);
          expect(attacked.filter((a) => a === "OTP_INVALID")).toHaveLength(10);
        } else {
          expect(new Set(attacked)).toEqual(new Set(["ACCOUNT_LOCKED"]));
        }
        expect(await ownerSignsIn(ownerDevice)).toEqual(["ok", "ok", "ok"]);
        // Any other client is held back by the address's and the account's spent budgets.
        expect(answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, unseen))).toBe(
          round <= 4 ? "TOO_MANY_ATTEMPTS" : "ACCOUNT_LOCKED",
        );
        await service.requestSignInCode({ email: OWNER });
        const code = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
        expect(answerOf(await service.signInWithCode({ email: OWNER, code }, unseen))).toBe(
          round <= 4 ? "TOO_MANY_ATTEMPTS" : "ACCOUNT_LOCKED",
        );
        // A cookie the server did not sign is an unseen client too.
        const forged = { ...unseen, deviceToken: `${"A".repeat(43)}.${"B".repeat(43)}` };
        expect(answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, forged))).toBe(
          round <= 4 ? "TOO_MANY_ATTEMPTS" : "ACCOUNT_LOCKED",
        );
        // A new window for the next round's attack.
        clock.advanceSeconds(901);
      }
      // The owner's device resets the password with its code: it stays the owner's device.
      await service.requestPasswordReset({ email: OWNER });
      const reset = await latestCodeFor(database, TEST_SECRET, OWNER, "PASSWORD_RESET_CODE");
      expect(
        answerOf(
          await service.resetPassword(
            { email: OWNER, code: reset, newPassword: `${PASSWORD} anew` },
            ownerDevice,
          ),
        ),
      ).toBe("ok");
      expect(
        answerOf(await service.signIn({ email: OWNER, password: `${PASSWORD} anew` }, ownerDevice)),
      ).toBe("ok");
      expect(
        answerOf(await service.signIn({ email: OWNER, password: `${PASSWORD} anew` }, unseen)),
      ).toBe("ACCOUNT_LOCKED");
    });

    it("a known device keeps today's limits for itself: 10 wrong passwords, then even the right one waits; 5 wrong codes; failures from it never spend the address's budget", async () => {
      const device = { ip: "198.51.100.4", deviceToken: await account(OWNER, {}) };
      const unseen = { ip: "192.0.2.10" };
      const answers: string[] = [];
      for (let i = 0; i < 11; i++) {
        answers.push(answerOf(await service.signIn({ email: OWNER, password: WRONG }, device)));
      }
      expect(answers).toEqual([...Array(10).fill("INVALID_CREDENTIALS"), "TOO_MANY_ATTEMPTS"]);
      expect(answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, device))).toBe(
        "TOO_MANY_ATTEMPTS",
      );
      // The address's own budget is untouched by the device's failures.
      expect(answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, unseen))).toBe(
        "ok",
      );
      await service.requestSignInCode({ email: OWNER });
      const code = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
      const guesses: string[] = [];
      for (let i = 0; i < 6; i++) {
        guesses.push(
          answerOf(await service.signInWithCode({ email: OWNER, code: wrongCode(code) }, device)),
        );
      }
      expect(guesses).toEqual([...Array(5).fill("OTP_INVALID"), "TOO_MANY_ATTEMPTS"]);
      expect(answerOf(await service.signInWithCode({ email: OWNER, code }, device))).toBe(
        "TOO_MANY_ATTEMPTS",
      );
      expect(answerOf(await service.signInWithCode({ email: OWNER, code }, unseen))).toBe("ok");
    });

    it("parallel guesses from a known device cannot overdraw its budget", async () => {
      const device = { deviceToken: await account(OWNER, {}) };
      await service.requestSignInCode({ email: OWNER });
      const code = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          service.signInWithCode({ email: OWNER, code: wrongCode(code) }, device),
        ),
      );
      const codes = answers.map(answerOf);
      expect(codes.filter((c) => c === "OTP_INVALID")).toHaveLength(5);
      expect(codes.filter((c) => c === "TOO_MANY_ATTEMPTS")).toHaveLength(15);
      const passwords = await Promise.all(
        Array.from({ length: 20 }, () => service.signIn({ email: OWNER, password: WRONG }, device)),
      );
      expect(passwords.map(answerOf).filter((c) => c === "INVALID_CREDENTIALS")).toHaveLength(10);
    });

    it("signing out everywhere revokes every other device: it is held back like an unseen client; the device that asked keeps its budgets", async () => {
      const laptop = { deviceToken: await account(OWNER, {}) };
      const phoneSignIn = await service.signIn({ email: OWNER, password: PASSWORD }, {});
      if (!phoneSignIn.ok) throw new Error(phoneSignIn.error.code);
      const phone = { deviceToken: phoneSignIn.value.deviceToken };
      const me = await service.authenticate(phoneSignIn.value.token);
      if (!me.ok) throw new Error(me.error.code);
      expect((await service.signOutEverywhere(me.value.userId, phone)).ok).toBe(true);
      for (let i = 0; i < 10; i++) await service.signIn({ email: OWNER, password: WRONG }, {});
      expect(answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, laptop))).toBe(
        "TOO_MANY_ATTEMPTS",
      );
      expect(answerOf(await service.signIn({ email: OWNER, password: PASSWORD }, phone))).toBe(
        "ok",
      );
    });
  });
}
