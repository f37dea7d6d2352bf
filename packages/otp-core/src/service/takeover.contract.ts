/**
 * Account pre-hijacking (ADR 10), run on every backend. The property: whatever
 * an attacker registers for an address (before or after the owner, any number
 * of times), and however the owner then proves the address (their own
 * registration's code from their own client, the newest code in their mailbox,
 * a sign-in code, a password reset), no password the attacker chose ever
 * signs in, and no session the attacker could hold survives the owner's proof.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  createTestService,
  latestCodeFor,
  pendingPasswords,
  plantSession,
  T0,
  TEST_SECRET,
  type TestBackend,
  TestClock,
  type TestDatabase,
  userTable,
} from "../testing/index.js";
import type { OtpService } from "./create-service.js";
import { hashSessionToken } from "./flows/sessions.js";

const VICTIM = "victim@example.com";
const OWNER_PASSWORD = "the owner's own passphrase";
const OWNER_NEW_PASSWORD = "the owner's passphrase after a reset";
const attackerPassword = (n: number) => `attacker passphrase number ${n}`;

type Step =
  | { kind: "attackerRegisters" }
  | { kind: "attackerResends" }
  | { kind: "attackerHoldsSession" }
  | { kind: "ownerRegisters" }
  | { kind: "ownerVerifiesOwnCode" }
  | { kind: "ownerVerifiesNewestCode" }
  | { kind: "ownerSignsInByCode" }
  | { kind: "ownerResetsPassword" };

const ATTACKER_STEPS = ["attackerRegisters", "attackerResends", "attackerHoldsSession"] as const;
const OWNER_PROOFS = [
  "ownerVerifiesOwnCode",
  "ownerVerifiesNewestCode",
  "ownerSignsInByCode",
  "ownerResetsPassword",
] as const;

export function defineTakeoverContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(backend, serverUrl);
  });
  afterAll(async () => {
    await database?.close();
  });

  /** One world: a fresh database, the two clients, what each knows. */
  async function world() {
    await database.reset();
    const clock = new TestClock(T0);
    // A generous send cap and password budget: the sequences below send more than
    // 10 emails an hour, and try the attacker's passwords after every step (the
    // budget must not be what refuses them, or the check would prove nothing).
    const service: OtpService = createTestService(database, {
      clock: clock.now,
      policy: { maxSendsPerWindow: 1000, passwordMaxFailures: 1000 },
    });
    const attacker = { passwords: [] as string[], token: undefined as string | undefined };
    const attackerSessions: string[] = [];
    const owner = {
      token: undefined as string | undefined,
      ownCode: undefined as string | undefined,
      password: undefined as string | undefined,
    };
    const codeFor = (kind: string) => latestCodeFor(database, TEST_SECRET, VICTIM, kind);

    /** The attacker tries every password it chose: none may ever give a session. */
    async function attackerCannotSignIn(): Promise<void> {
      for (const password of attacker.passwords) {
        const result = await service.signIn({ email: VICTIM, password });
        expect(result.ok, `the attacker signed in with "${password}"`).toBe(false);
        // Refused because the password is not the account's, not by a limit.
        expect(result.ok ? null : result.error.code).toMatch(
          /^(INVALID_CREDENTIALS|EMAIL_NOT_VERIFIED)$/,
        );
      }
    }

    async function run(step: Step): Promise<void> {
      clock.advanceSeconds(7);
      switch (step.kind) {
        case "attackerRegisters": {
          const password = attackerPassword(attacker.passwords.length + 1);
          const registered = await service.register({ email: VICTIM, password });
          if (registered.ok) {
            attacker.passwords.push(password);
            attacker.token = registered.value.bindingToken;
          }
          return;
        }
        case "attackerResends":
          await service.resendCode({ email: VICTIM });
          return;
        case "attackerHoldsSession": {
          // Whatever way an attacker might hold a session of the unproven account
          // (one opened before this design, say): planted directly.
          const [user] = await userTable(database);
          if (user === undefined || user.is_verified) return;
          const token = randomBytes(32).toString("base64url");
          await plantSession(database, {
            userId: user.id,
            tokenHash: hashSessionToken(token),
            createdAt: clock.now(),
            expiresAt: new Date("2030-01-01T00:00:00Z"),
          });
          attackerSessions.push(token);
          return;
        }
        case "ownerRegisters": {
          const registered = await service.register({ email: VICTIM, password: OWNER_PASSWORD });
          if (!registered.ok) throw new Error(registered.error.code);
          owner.token = registered.value.bindingToken;
          const [user] = await userTable(database);
          owner.ownCode = user?.is_verified ? undefined : await codeFor("VERIFICATION_CODE");
          return;
        }
        case "ownerVerifiesOwnCode":
        case "ownerVerifiesNewestCode": {
          const code =
            step.kind === "ownerVerifiesOwnCode"
              ? owner.ownCode
              : await codeFor("VERIFICATION_CODE").catch(() => undefined);
          if (code === undefined) return;
          const verified = await service.verifyEmail(
            { email: VICTIM, code },
            { bindingToken: owner.token },
          );
          if (verified.ok && verified.value.session !== null) {
            // Signed in by verifying: the password that became active is the owner's.
            owner.password = OWNER_PASSWORD;
            expect(verified.value.passwordActive).toBe(true);
            expect(
              (await service.signIn({ email: VICTIM, password: OWNER_PASSWORD })).ok,
              "the owner's own password signs in after their bound verification",
            ).toBe(true);
          }
          return;
        }
        case "ownerSignsInByCode": {
          await service.requestSignInCode({ email: VICTIM });
          const code = await codeFor("SIGN_IN_CODE").catch(() => undefined);
          if (code === undefined) return;
          const signedIn = await service.signInWithCode({ email: VICTIM, code });
          expect(signedIn.ok).toBe(true);
          return;
        }
        case "ownerResetsPassword": {
          await service.requestPasswordReset({ email: VICTIM });
          const code = await codeFor("PASSWORD_RESET_CODE").catch(() => undefined);
          if (code === undefined) return;
          const reset = await service.resetPassword({
            email: VICTIM,
            code,
            newPassword: OWNER_NEW_PASSWORD,
          });
          expect(reset.ok).toBe(true);
          owner.password = OWNER_NEW_PASSWORD;
          return;
        }
      }
    }

    /** After the owner proved the address: no session the attacker held still works. */
    async function attackerSessionsAreDead(): Promise<void> {
      for (const token of attackerSessions) {
        expect((await service.authenticate(token)).ok, "an attacker's session survived").toBe(
          false,
        );
      }
    }

    const verified = async () => (await userTable(database))[0]?.is_verified === true;
    return { service, run, attackerCannotSignIn, attackerSessionsAreDead, verified, owner };
  }

  describe(`pre-hijacking (${backend})`, () => {
    it("attacker first, then the owner signs in by code: the attacker's password never signs in, its session is revoked", async () => {
      const w = await world();
      await w.run({ kind: "attackerRegisters" });
      await w.run({ kind: "attackerHoldsSession" });
      await w.run({ kind: "ownerSignsInByCode" });
      expect(await w.verified()).toBe(true);
      await w.attackerCannotSignIn();
      await w.attackerSessionsAreDead();
      // No password is active: the owner sets one by reset.
      expect((await userTable(database))[0]?.password_hash).toBeNull();
    });

    it("attacker first, then the owner registers and verifies from their client: only the owner's password works", async () => {
      const w = await world();
      await w.run({ kind: "attackerRegisters" });
      await w.run({ kind: "attackerHoldsSession" });
      await w.run({ kind: "ownerRegisters" });
      await w.run({ kind: "ownerVerifiesOwnCode" });
      expect(w.owner.password).toBe(OWNER_PASSWORD);
      await w.attackerCannotSignIn();
      await w.attackerSessionsAreDead();
    });

    it("owner first, then the attacker registers, and the owner enters the newest code: the address is proven, no password is active", async () => {
      const w = await world();
      await w.run({ kind: "ownerRegisters" });
      await w.run({ kind: "attackerRegisters" });
      const code = await latestCodeFor(database, TEST_SECRET, VICTIM);
      const verified = await w.service.verifyEmail(
        { email: VICTIM, code },
        { bindingToken: w.owner.token },
      );
      expect(verified).toMatchObject({ ok: true, value: { session: null, passwordActive: false } });
      await w.attackerCannotSignIn();
      expect((await w.service.signIn({ email: VICTIM, password: OWNER_PASSWORD })).ok).toBe(false);
      // The owner sets a password by reset, and only that one works.
      await w.run({ kind: "ownerResetsPassword" });
      await w.attackerCannotSignIn();
      expect((await w.service.signIn({ email: VICTIM, password: OWNER_NEW_PASSWORD })).ok).toBe(
        true,
      );
    });

    it("attacker first, then the owner resets the password: only the new password works, the attacker's session is revoked", async () => {
      const w = await world();
      await w.run({ kind: "attackerRegisters" });
      await w.run({ kind: "attackerHoldsSession" });
      await w.run({ kind: "ownerResetsPassword" });
      await w.attackerCannotSignIn();
      await w.attackerSessionsAreDead();
      expect((await w.service.signIn({ email: VICTIM, password: OWNER_NEW_PASSWORD })).ok).toBe(
        true,
      );
    });

    it("the attacker's client with the attacker's binding but a code it cannot read activates nothing", async () => {
      const w = await world();
      await w.run({ kind: "attackerRegisters" });
      await w.run({ kind: "attackerResends" });
      // The owner, from another client, enters the resent code (which stays bound to the attacker).
      await w.run({ kind: "ownerVerifiesNewestCode" });
      expect(await w.verified()).toBe(true);
      await w.attackerCannotSignIn();
      expect((await userTable(database))[0]?.password_hash).toBeNull();
    });

    it("property: over any interleaving, no attacker password ever signs in, and after the owner's proof no attacker session survives", async () => {
      const attackerStep = fc.constantFrom(...ATTACKER_STEPS).map((kind) => ({ kind }) as Step);
      const ownerStep = fc
        .constantFrom("ownerRegisters" as const, ...OWNER_PROOFS)
        .map((kind) => ({ kind }) as Step);
      const proof = fc.constantFrom(...OWNER_PROOFS).map((kind) => ({ kind }) as Step);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(attackerStep, ownerStep), { minLength: 1, maxLength: 8 }),
          proof,
          async (steps, finalProof) => {
            const w = await world();
            // The attacker always registers at least once, somewhere in the sequence.
            const withAttacker: Step[] = steps.some((s) => s.kind === "attackerRegisters")
              ? steps
              : [{ kind: "attackerRegisters" }, ...steps];
            for (const step of withAttacker) {
              await w.run(step);
              await w.attackerCannotSignIn();
            }
            // The owner proves the address at the end (after registering, if the proof needs it).
            if (finalProof.kind === "ownerVerifiesOwnCode") await w.run({ kind: "ownerRegisters" });
            await w.run(finalProof);
            if (await w.verified()) await w.attackerSessionsAreDead();
            await w.attackerCannotSignIn();
          },
        ),
        { numRuns: backend === "pglite" ? 40 : 25 },
      );
    }, 240_000);

    it("the plain flow: register, verify with that code from the same client (signed in), sign in with that password", async () => {
      const w = await world();
      const registered = await w.service.register({ email: VICTIM, password: OWNER_PASSWORD });
      if (!registered.ok) throw new Error(registered.error.code);
      const code = await latestCodeFor(database, TEST_SECRET, VICTIM);
      const verified = await w.service.verifyEmail(
        { email: VICTIM, code },
        { bindingToken: registered.value.bindingToken },
      );
      expect(verified).toMatchObject({ ok: true, value: { passwordActive: true } });
      if (!verified.ok || verified.value.session === null) throw new Error("not signed in");
      expect((await w.service.authenticate(verified.value.session.token)).ok).toBe(true);
      expect((await w.service.signIn({ email: VICTIM, password: OWNER_PASSWORD })).ok).toBe(true);
      // The registration's pending password is gone from the used code.
      const pending = (await pendingPasswords(database)).filter(
        (row) => row.pending_password_hash !== null || row.binding_hash !== null,
      );
      expect(pending.length).toBe(0);
    });

    it("a resend keeps the registration bound: the resent code from the registering client signs in", async () => {
      const w = await world();
      const registered = await w.service.register({ email: VICTIM, password: OWNER_PASSWORD });
      if (!registered.ok) throw new Error(registered.error.code);
      await w.service.resendCode({ email: VICTIM });
      const verified = await w.service.verifyEmail(
        { email: VICTIM, code: await latestCodeFor(database, TEST_SECRET, VICTIM) },
        { bindingToken: registered.value.bindingToken },
      );
      expect(verified).toMatchObject({ ok: true, value: { passwordActive: true } });
      expect(verified.ok && verified.value.session !== null).toBe(true);
    });

    it("the right code with a wrong or missing binding token proves the address and activates no password", async () => {
      const w = await world();
      await w.service.register({ email: VICTIM, password: OWNER_PASSWORD });
      const verified = await w.service.verifyEmail(
        { email: VICTIM, code: await latestCodeFor(database, TEST_SECRET, VICTIM) },
        { bindingToken: randomBytes(32).toString("base64url") },
      );
      expect(verified).toMatchObject({
        ok: true,
        value: { email: VICTIM, session: null, passwordActive: false },
      });
      expect((await w.service.signIn({ email: VICTIM, password: OWNER_PASSWORD })).ok).toBe(false);
      expect(await w.verified()).toBe(true);
    });
  });
}
