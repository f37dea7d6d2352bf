/**
 * The account's language (`users.locale`): chosen at registration, kept by
 * re-registration, changed by its owner, and carried by every email queued to
 * the account (codes and notices), run on every backend.
 */
import { describe, expect, it } from "vitest";
import {
  justAuthenticated,
  latestCodeFor,
  readOutbox,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
  userLocale,
} from "../testing/index.js";
import { defineServiceSuite } from "../testing/service-suite.js";
import type { OtpService } from "./create-service.js";

const OWNER = "owner@example.com";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const LOCALES = ["en", "de"] as const;

export function defineLocaleContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let clock: TestClock;
  let service: OtpService;
  defineServiceSuite(
    backend,
    serverUrl,
    (suite) => {
      ({ database, clock, service } = suite);
    },
    () => ({ locales: LOCALES, policy: { maxSendsPerWindow: 1000, sendCooldownSeconds: 0 } }),
  );

  const storedLocale = (email: string) => userLocale(database, email);
  const localesOf = async (kind: string) =>
    (await readOutbox(database, TEST_SECRET))
      .filter((row) => row.kind === kind)
      .map((row) => row.message?.locale)
      .sort(); // rows queued at the same instant come back in no set order

  async function verifiedOwner(locale?: "en" | "de"): Promise<void> {
    const registered = await service.register({
      email: OWNER,
      password: PASSWORD,
      ...(locale === undefined ? {} : { locale }),
    });
    if (!registered.ok) throw new Error(registered.error.code);
    const verified = await service.verifyEmail(
      { email: OWNER, code: await latestCodeFor(database, TEST_SECRET, OWNER) },
      { bindingToken: registered.value.bindingToken },
    );
    if (!verified.ok || !verified.value.passwordActive) throw new Error("not verified");
  }

  describe(`account language (${backend})`, () => {
    it("registration stores the chosen language, English without one; the code email carries it", async () => {
      await service.register({ email: OWNER, password: PASSWORD, locale: "de" });
      expect(await storedLocale(OWNER)).toBe("de");
      expect(await localesOf("VERIFICATION_CODE")).toEqual(["de"]);
      await service.register({ email: "plain@example.com", password: PASSWORD });
      expect(await storedLocale("plain@example.com")).toBe("en");
    });

    it("refuses a language without catalogues as INVALID_INPUT, naming the field", async () => {
      const refused = await service.register({
        email: OWNER,
        password: PASSWORD,
        locale: "xx" as "en",
      });
      expect(refused).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
      expect(!refused.ok && Object.keys(refused.error.fieldErrors ?? {})).toEqual(["locale"]);
      expect(await storedLocale(OWNER)).toBeUndefined();
    });

    it("re-registration keeps the stored language and answers alike (unverified and verified)", async () => {
      const first = await service.register({ email: OWNER, password: PASSWORD, locale: "de" });
      const again = await service.register({ email: OWNER, password: PASSWORD, locale: "en" });
      expect(await storedLocale(OWNER)).toBe("de");
      expect(await localesOf("VERIFICATION_CODE")).toEqual(["de", "de"]);
      expect(Object.keys(again.ok ? again.value : {})).toEqual(
        Object.keys(first.ok ? first.value : {}),
      );
      const code = await latestCodeFor(database, TEST_SECRET, OWNER);
      const bindingToken = again.ok ? again.value.bindingToken : "";
      expect((await service.verifyEmail({ email: OWNER, code }, { bindingToken })).ok).toBe(true);
      await service.register({ email: OWNER, password: PASSWORD, locale: "en" });
      expect(await storedLocale(OWNER)).toBe("de");
      expect(await localesOf("ALREADY_REGISTERED")).toEqual(["de"]);
    });

    it("the owner changes it; every later email follows: codes, new sign-in, password changed, email changed, lockout notices", async () => {
      await verifiedOwner();
      const me = await service.signIn({ email: OWNER, password: PASSWORD });
      if (!me.ok) throw new Error(me.error.code);
      const user = await service.authenticate(me.value.token);
      expect(user.ok && user.value.locale).toBe("en");
      expect(await service.setLocale({ userId: me.value.userId, locale: "de" })).toEqual({
        ok: true,
        value: { locale: "de" },
      });
      expect(await storedLocale(OWNER)).toBe("de");
      const after = await service.authenticate(me.value.token);
      expect(after.ok && after.value.locale).toBe("de");

      await service.signIn({ email: OWNER, password: PASSWORD }, { ip: "203.0.113.9" });
      expect(await localesOf("NEW_SIGN_IN")).toEqual(["de", "en"]);

      await service.requestSignInCode({ email: OWNER });
      expect(await localesOf("SIGN_IN_CODE")).toEqual(["de"]);
      const signInCode = await latestCodeFor(database, TEST_SECRET, OWNER, "SIGN_IN_CODE");
      await service.signInWithCode({ email: OWNER, code: signInCode }, {});
      expect(await localesOf("NEW_SIGN_IN")).toEqual(["de", "de", "en"]);

      await service.requestPasswordReset({ email: OWNER });
      const resetCode = await latestCodeFor(database, TEST_SECRET, OWNER, "PASSWORD_RESET_CODE");
      expect(
        (await service.resetPassword({ email: OWNER, code: resetCode, newPassword: NEW_PASSWORD }))
          .ok,
      ).toBe(true);
      expect(await localesOf("PASSWORD_RESET_CODE")).toEqual(["de"]);
      expect(await localesOf("PASSWORD_CHANGED")).toEqual(["de"]);

      for (let i = 0; i < 10; i++) {
        await service.signIn({ email: OWNER, password: "not the password at all" });
      }
      expect(await localesOf("PASSWORD_LIMIT_REACHED")).toEqual(["de"]);

      const newEmail = "owner.new@example.com";
      await service.requestEmailChange(
        { userId: me.value.userId, newEmail },
        justAuthenticated(clock),
      );
      expect(await localesOf("EMAIL_CHANGE_CODE")).toEqual(["de"]);
      const changeCode = await latestCodeFor(database, TEST_SECRET, newEmail, "EMAIL_CHANGE_CODE");
      expect(
        (
          await service.confirmEmailChange(
            { userId: me.value.userId, code: changeCode },
            {},
            justAuthenticated(clock),
          )
        ).ok,
      ).toBe(true);
      expect(await localesOf("EMAIL_CHANGED")).toEqual(["de"]);
    });

    it("the unlock link is mailed in the account's language", async () => {
      await verifiedOwner("de");
      for (let round = 0; round < 10; round++) {
        clock.advanceSeconds(900);
        for (let i = 0; i < 10; i++) {
          await service.signIn({ email: OWNER, password: "not the password at all" });
        }
      }
      expect(await localesOf("ACCOUNT_LOCKED")).toEqual(["de"]);
    });

    it("setLocale refuses an unknown language and an unknown account", async () => {
      await verifiedOwner();
      expect(
        await service.setLocale({ userId: "00000000-0000-4000-8000-000000000000", locale: "de" }),
      ).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
      expect(
        await service.setLocale({
          userId: "00000000-0000-4000-8000-000000000000",
          locale: "fr" as "de",
        }),
      ).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
    });
  });
}
