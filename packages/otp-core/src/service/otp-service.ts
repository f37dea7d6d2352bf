import { recipientKey } from "../crypto/recipient-key.js";
import type { Executor } from "../db/rows.js";
import { ACCOUNT_DEFAULT_LOCALE } from "../db/schema.js";
import { domainError, fail, ok, type Result } from "../errors.js";
import { reservePasswordAttempt, useUnlockToken } from "../repositories/account-failures.js";
import { openSignedInSession } from "../repositories/account-sessions.js";
import { type CleanupCounts, runCleanup } from "../repositories/cleanup.js";
import {
  emailChangeCheckEffect,
  passwordResetCheckEffect,
  signInCheckEffect,
  verificationCheckEffect,
} from "../repositories/code-effects.js";
import { queueEmail } from "../repositories/outbox.js";
import { findLinkTarget, type LinkTarget } from "../repositories/passcodes.js";
import { recordSecurityEventForAddress } from "../repositories/security-events.js";
import {
  findUserEmail,
  lockUserById,
  registerOrLockUser,
  reserveSendForEmailChange,
  setUserLocale,
} from "../repositories/users.js";
import { type ClientContext, storedClient } from "../rules/client-context.js";
import {
  codeHashesMatch,
  hashLinkSecret,
  type LinkToken,
  parseLinkToken,
} from "../rules/code-hash.js";
import { decideConsecutive, reachesLock, unlockTokenHash } from "../rules/consecutive-failures.js";
import { deviceTokenFor, deviceTokenHash } from "../rules/device-token.js";
import { isExpired } from "../rules/expiry.js";
import { passwordBudgetExhausted, passwordRetryAt } from "../rules/password-budget.js";
import { normalizePassword } from "../rules/password-rules.js";
import {
  bindingMatches,
  bindingTokenHash,
  newBindingToken,
} from "../rules/registration-binding.js";
import { createServiceContext } from "./context.js";
import {
  ABSENT_CODE_HASH,
  type CheckTarget,
  type CodeCheck,
  type Credential,
  useCode as checkCode,
} from "./engine/check.js";
import {
  issueLocked as issueCodeLocked,
  sendLimitError as readSendLimit,
  requestCodeByAddress as requestByAddress,
} from "./engine/issue.js";
import { lockAddress as lockAddressOf } from "./engine/lockout.js";
import {
  event,
  noticePasswordLimit as noticeLimit,
  sealNotice as seal,
  newSignInNotice as signInNotice,
} from "./engine/notices.js";
import {
  authenticate,
  newSessionToken as sessionToken,
  signOut,
  signOutEverywhere,
} from "./flows/sessions.js";
import {
  bindingTokenSchema,
  type CleanupInput,
  type ConfirmEmailChangeInput,
  type DescribeLinkInput,
  type IssueCodeInput,
  type RegisterInput,
  type RequestCodeInput,
  type RequestEmailChangeInput,
  type ResendCodeInput,
  type ResetPasswordInput,
  type SetLocaleInput,
  type SignInInput,
  type SignInWithCodeInput,
  type UnlockInput,
  type UseLinkInput,
  type VerifyEmailInput,
} from "./inputs.js";
import { createSecurityCenter } from "./security-center.js";
import type {
  AcceptedRequest,
  DescribedLink,
  IssuedCode,
  NewSession,
  OtpServiceOptions,
  RegisteredRequest,
  SignedInUser,
  UsedLink,
  VerifiedAccount,
  VerifiedEmail,
} from "./types.js";

export {
  DEFAULT_SESSION_TTL_SECONDS,
  hashSessionToken,
  SESSION_LAST_SEEN_INTERVAL_SECONDS,
} from "./flows/sessions.js";
export type * from "./types.js";

export type OtpService = ReturnType<typeof createOtpService>;

type Rest<F> = F extends (ctx: never, ...rest: infer R) => unknown ? R : never;

export function createOtpService(options: OtpServiceOptions) {
  const ctx = createServiceContext(options);
  const { db, keys, policy, clock, random, logger, hasher, inputs, parse, onEmailQueued } = ctx;
  const sendLimitError = (...a: Rest<typeof readSendLimit>) => readSendLimit(ctx, ...a);
  const sealNotice = (...a: Rest<typeof seal>) => seal(ctx, ...a);
  const newSessionToken = (now: Date) => sessionToken(ctx, now);
  const issueLocked = (...a: Rest<typeof issueCodeLocked>) => issueCodeLocked(ctx, ...a);
  const requestCodeByAddress = (...a: Rest<typeof requestByAddress>) => requestByAddress(ctx, ...a);
  const useCode = <Extra extends object>(executor: Executor, check: CodeCheck<Extra>) =>
    checkCode<Extra>(ctx, executor, check);
  const lockAddress = (...a: Rest<typeof lockAddressOf>) => lockAddressOf(ctx, ...a);
  const noticePasswordLimit = (...a: Rest<typeof noticeLimit>) => noticeLimit(ctx, ...a);
  const newSignInNotice = (...a: Rest<typeof signInNotice>) => signInNotice(ctx, ...a);
  const absentCodeHash = ABSENT_CODE_HASH;
  const refusedSignInTime = ctx.refusedSignInTime;

  /** A password sign-in: session, SIGNED_IN event and device (notice if new) in one statement. */
  async function createSessionFor(
    userId: string,
    email: string,
    locale: string,
    now: Date,
    client: ClientContext | undefined,
    /** The address's HMAC: a right password gives its budget unit back and clears the cap's count. */
    key: string,
  ): Promise<NewSession> {
    const session = newSessionToken(now);
    const stored = storedClient(client);
    const deviceToken = deviceTokenFor(client?.deviceToken, random);
    const { newDevice } = await openSignedInSession(db, {
      userId,
      recipientKey: key,
      session: { ...session, client: stored },
      now,
      event: { ...event("SIGNED_IN", stored, now), detail: { method: "password" } },
      device: {
        deviceHash: deviceTokenHash(userId, deviceToken),
        notice: newSignInNotice(email, locale, stored, now),
      },
    });
    if (newDevice) onEmailQueued();
    logger.info({ userId, sessionId: session.sessionId, newDevice }, "signed in");
    return { token: session.token, expiresAt: session.expiresAt, userId, email, deviceToken };
  }

  /** Verification's effect, for its code and its link alike (see `verifyEmail`). */
  async function verifyEmailWith(
    target: CheckTarget,
    credential: Credential,
    client: ClientContext & { bindingToken?: string | undefined },
  ): Promise<Result<VerifiedEmail & { deviceToken: string }>> {
    // A token of the wrong shape (a stale or forged cookie) binds nothing; it is no input error.
    const token = bindingTokenSchema.safeParse(client.bindingToken);
    const bindingToken = token.success ? token.data : undefined;
    const now = clock();
    const stored = storedClient(client);
    // The address's owner proved it from this client: the device becomes one the account knows.
    const deviceToken = deviceTokenFor(client.deviceToken, random);
    const session = { ...newSessionToken(now), client: stored };
    const used = await useCode<{ passwordActive: boolean; sessionsCreated: number }>(db, {
      ...target,
      codeType: "VERIFICATION",
      credential,
      now,
      effect: (found) => {
        const pending = found.passcode.pendingPasswordHash;
        const bound = pending !== null && bindingMatches(found.passcode.bindingHash, bindingToken);
        return verificationCheckEffect({
          now,
          bound: bound ? { passwordHash: pending, session } : null,
          verified: event("EMAIL_VERIFIED", stored, now),
          signedIn: { ...event("SIGNED_IN", stored, now), detail: { method: "code" } },
          deviceHash: deviceTokenHash(found.userId, deviceToken),
        });
      },
    });
    if (!used.ok) return used;
    const { userId, email: address } = used.value.found;
    const signedIn = (used.value.extra.sessionsCreated ?? 0) > 0;
    if (signedIn) logger.info({ userId, sessionId: session.sessionId }, "signed in");
    return ok({
      userId,
      email: address,
      passwordActive: used.value.extra.passwordActive === true,
      session: signedIn
        ? {
            token: session.token,
            expiresAt: session.expiresAt,
            userId,
            email: address,
            deviceToken,
          }
        : null,
      deviceToken,
    });
  }

  /** Password reset's effect, for its code and its link alike (see `resetPassword`). */
  async function resetPasswordWith(
    target: CheckTarget,
    credential: Credential,
    newPassword: string,
    client: ClientContext,
  ): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
    const passwordHash = await hasher.hash(newPassword);
    const now = clock();
    const used = await useCode<{ sessionsRevoked: number }>(db, {
      ...target,
      codeType: "PASSWORD_RESET",
      credential,
      now,
      effect: (found) =>
        passwordResetCheckEffect({
          passwordHash,
          now,
          notice: sealNotice({
            kind: "PASSWORD_CHANGED",
            to: found.email,
            locale: found.locale,
            changedAt: now.toISOString(),
          }),
          changed: event("PASSWORD_CHANGED", storedClient(client), now),
        }),
    });
    if (!used.ok) return used;
    onEmailQueued();
    return ok({
      userId: used.value.found.userId,
      email: used.value.found.email,
      sessionsRevoked: used.value.extra.sessionsRevoked ?? 0,
    });
  }

  /** Sign-in by code's effect, for its code and its link alike (see `signInWithCode`). */
  async function signInWith(
    target: CheckTarget,
    credential: Credential,
    client: ClientContext,
  ): Promise<Result<NewSession>> {
    const now = clock();
    const stored = storedClient(client);
    const session = { ...newSessionToken(now), client: stored };
    const deviceToken = deviceTokenFor(client.deviceToken, random);
    const used = await useCode<{ newDevices: number }>(db, {
      ...target,
      codeType: "SIGN_IN",
      credential,
      now,
      // The session, SIGNED_IN, and the device (with the notice if it is new), with the code.
      effect: (found) =>
        signInCheckEffect({
          session,
          now,
          signedIn: { ...event("SIGNED_IN", stored, now), detail: { method: "code" } },
          deviceHash: deviceTokenHash(found.userId, deviceToken),
          notice: newSignInNotice(found.email, found.locale, stored, now),
        }),
    });
    if (!used.ok) return used;
    if ((used.value.extra.newDevices ?? 0) > 0) onEmailQueued();
    return ok({
      token: session.token,
      expiresAt: session.expiresAt,
      userId: used.value.found.userId,
      email: used.value.found.email,
      deviceToken,
    });
  }

  /** Email change's effect, for its code and its link alike (see `confirmEmailChange`). */
  async function confirmEmailChangeWith(
    userId: string,
    address: string,
    credential: Credential,
    client: ClientContext,
  ): Promise<Result<VerifiedAccount>> {
    const now = clock();
    try {
      const used = await useCode(db, {
        account: { userId },
        address,
        codeType: "EMAIL_CHANGE",
        credential,
        now,
        effect: (found) =>
          emailChangeCheckEffect({
            now,
            notice: sealNotice({
              kind: "EMAIL_CHANGED",
              to: found.email,
              locale: found.locale,
              newEmail: found.passcode.newEmail ?? "",
            }),
            changed: event("EMAIL_CHANGED", storedClient(client), now),
          }),
      });
      if (!used.ok) return used;
      onEmailQueued();
      return ok({ userId, email: used.value.found.passcode?.newEmail ?? used.value.found.email });
    } catch (error) {
      if (isUniqueViolation(error)) return fail("EMAIL_TAKEN");
      throw error;
    }
  }

  /**
   * The live code row a link's token names, or the failure a link that cannot
   * be used answers (LINK_INVALID for no such row or a wrong secret; used and
   * expired as their codes answer). A read: nothing is spent or recorded. The
   * secret's HMAC is computed and compared on every path, so an unknown row
   * costs what a known one does.
   */
  async function readLink(link: LinkToken, now: Date): Promise<Result<LinkTarget>> {
    const target = await findLinkTarget(db, link.passcodeId);
    const submitted = hashLinkSecret(keys.linkHmac, link);
    const matches = codeHashesMatch(target?.linkHash ?? absentCodeHash, submitted);
    if (target === null || !matches) return fail("LINK_INVALID");
    if (target.isUsed) return fail("OTP_ALREADY_USED");
    if (isExpired(target.expiresAt, now)) return fail("OTP_EXPIRED");
    return ok(target);
  }

  const securityCenter = createSecurityCenter({ db, clock, logger, inputs, parse });

  return {
    policy,
    inputs,
    ...securityCenter,

    /**
     * Creates an account and sends its verification code. An address that
     * already has an account answers exactly the same: a verified account is
     * left unchanged and its owner is told someone tried to register; an
     * unverified one takes the new password and a fresh code.
     */
    async register(input: RegisterInput): Promise<Result<RegisteredRequest>> {
      const parsed = parse(inputs.register, input);
      if (!parsed.ok) return parsed;
      const { email, password, locale = ACCOUNT_DEFAULT_LOCALE } = parsed.value;
      // Hash before anything else, whatever the account's state, so every answer costs the same.
      const passwordHash = await hasher.hash(password);
      const bindingToken = newBindingToken(random);
      const now = clock();
      let queued = false;
      const refused = await db.transaction(async (tx) => {
        const outcome = await registerOrLockUser(tx, {
          email,
          locale,
          recipientKey: recipientKey(keys.recipientHmac, email),
          now,
          policy,
        });
        const limitError = sendLimitError(outcome.sendReservation, now);
        if (limitError !== null) return limitError;
        if (outcome.user === null) return null;
        if (!outcome.user.isVerified) {
          // The password waits on the code, bound to this client (ADR 10).
          await issueLocked(tx, outcome.user, "VERIFICATION", now, null, {
            passwordHash,
            bindingHash: bindingTokenHash(bindingToken),
          });
        } else {
          await queueEmail(tx, {
            ...sealNotice({
              kind: "ALREADY_REGISTERED",
              to: outcome.user.email,
              locale: outcome.user.locale,
            }),
            now,
          });
        }
        queued = true;
        if (outcome.user.created) logger.info({ userId: outcome.user.id }, "account created");
        return null;
      });
      if (refused !== null) return { ok: false, error: refused };
      if (queued) onEmailQueued();
      return ok({ email, bindingToken });
    },

    /**
     * Issues a code of this type to an account by id, bypassing the send cap
     * (for trusted callers: operations and flows that already checked it).
     */
    async issueCode(input: IssueCodeInput): Promise<Result<IssuedCode>> {
      const parsed = parse(inputs.issueCode, input);
      if (!parsed.ok) return parsed;
      const { userId, codeType } = parsed.value;
      const now = clock();
      const issued = await db.transaction(async (tx) => {
        const user = await lockUserById(tx, userId);
        if (user === null) return null;
        return issueLocked(tx, user, codeType, now);
      });
      if (issued === null) return fail("USER_NOT_FOUND");
      onEmailQueued();
      return ok(issued);
    },

    /** Sends a new code by address; every earlier code of the pair is deleted. Enumeration-safe. */
    async resendCode(input: ResendCodeInput): Promise<Result<AcceptedRequest>> {
      const parsed = parse(inputs.resendCode, input);
      if (!parsed.ok) return parsed;
      return requestCodeByAddress(parsed.value.email, parsed.value.codeType);
    },

    /**
     * Verifies an address with its code: the code used and the account
     * verified in one statement. From the client that registered (its binding
     * token) the registration's password becomes active and a session opens
     * in that statement; from anywhere else the address is proven and no
     * password is activated (ADR 10). Either way EMAIL_VERIFIED is recorded
     * and the client's device becomes one the account knows.
     */
    async verifyEmail(
      input: VerifyEmailInput,
      client: ClientContext & { bindingToken?: string | undefined } = {},
    ): Promise<Result<VerifiedEmail & { deviceToken: string }>> {
      const parsed = parse(inputs.verifyEmail, input);
      if (!parsed.ok) return parsed;
      const { email, code } = parsed.value;
      return verifyEmailWith({ account: { email }, address: email }, { code }, client);
    },

    /** Sends a password-reset code (enumeration-safe). */
    async requestPasswordReset(input: RequestCodeInput): Promise<Result<AcceptedRequest>> {
      const parsed = parse(inputs.requestCode, input);
      if (!parsed.ok) return parsed;
      return requestCodeByAddress(parsed.value.email, "PASSWORD_RESET");
    },

    /**
     * Resets the password with a PASSWORD_RESET code: the code used, the
     * password replaced, every session revoked and the notice queued, in one
     * statement.
     */
    async resetPassword(
      input: ResetPasswordInput,
      client: ClientContext = {},
    ): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
      const parsed = parse(inputs.resetPassword, input);
      if (!parsed.ok) return parsed;
      const { email, code, newPassword } = parsed.value;
      return resetPasswordWith(
        { account: { email }, address: email },
        { code },
        newPassword,
        client,
      );
    },

    /** Sends a sign-in code (enumeration-safe). */
    async requestSignInCode(input: RequestCodeInput): Promise<Result<AcceptedRequest>> {
      const parsed = parse(inputs.requestCode, input);
      if (!parsed.ok) return parsed;
      return requestCodeByAddress(parsed.value.email, "SIGN_IN");
    },

    /** Signs in with a SIGN_IN code: the code used, the address verified and a session created at once. */
    async signInWithCode(
      input: SignInWithCodeInput,
      client: ClientContext = {},
    ): Promise<Result<NewSession>> {
      const parsed = parse(inputs.signInWithCode, input);
      if (!parsed.ok) return parsed;
      const { email, code } = parsed.value;
      return signInWith({ account: { email }, address: email }, { code }, client);
    },

    /**
     * What a link's token stands for ("Verify ada@example.com"), for the page
     * that asks to confirm it: a read only, so opening a link (mail scanners
     * do) changes nothing, spends no attempt and records no event. A wrong
     * secret and an unknown row answer alike (LINK_INVALID); a used or expired
     * link answers as its code would.
     */
    async describeLink(input: DescribeLinkInput): Promise<Result<DescribedLink>> {
      const parsed = parse(inputs.describeLink, input);
      if (!parsed.ok) return parsed;
      const link = parseLinkToken(parsed.value.token);
      if (link === null) return fail("LINK_INVALID");
      const read = await readLink(link, clock());
      if (!read.ok) return read;
      const { codeType, email, newEmail } = read.value;
      return ok({
        step: codeType,
        email: codeType === "EMAIL_CHANGE" ? (newEmail ?? email) : email,
      });
    },

    /**
     * Completes the step a link's token stands for, on the same path as its
     * code (`useCode`): the same row, attempt budget, cap and effect. A wrong
     * secret for a real row is charged to its account like a wrong code
     * (LINK_INVALID, `attemptsLeft`); a right one spends nothing. A token that
     * names no row (never issued, or replaced by a newer code) touches nothing.
     * A password-reset link needs `newPassword`; an email-change link needs the
     * signed-in session of its account (`signedInUserId`), as the code does.
     */
    async useLink(
      input: UseLinkInput,
      client: ClientContext & {
        bindingToken?: string | undefined;
        signedInUserId?: string | undefined;
      } = {},
    ): Promise<Result<UsedLink>> {
      const parsed = parse(inputs.useLink, input);
      if (!parsed.ok) return parsed;
      const { token, newPassword } = parsed.value;
      const link = parseLinkToken(token);
      const target = link === null ? null : await findLinkTarget(db, link.passcodeId);
      if (link === null || target === null) {
        // Nothing to charge; the secret's HMAC is still computed, as on every path.
        hashLinkSecret(keys.linkHmac, link ?? { passcodeId: "", secret: token });
        return fail("LINK_INVALID");
      }
      const at: CheckTarget = { account: { userId: target.userId }, address: target.email };
      const credential = { link };
      if ((newPassword !== undefined) !== (target.codeType === "PASSWORD_RESET")) {
        return fail("INVALID_INPUT", {
          fieldErrors: {
            newPassword: [
              newPassword === undefined
                ? "Choose a new password: this link resets your password."
                : "This link does not set a password; send it without one.",
            ],
          },
        });
      }
      switch (target.codeType) {
        case "VERIFICATION": {
          const verified = await verifyEmailWith(at, credential, client);
          return verified.ok ? ok({ step: "VERIFICATION", verified: verified.value }) : verified;
        }
        case "SIGN_IN": {
          const session = await signInWith(at, credential, client);
          return session.ok ? ok({ step: "SIGN_IN", session: session.value }) : session;
        }
        case "PASSWORD_RESET": {
          const reset = await resetPasswordWith(at, credential, newPassword ?? "", client);
          return reset.ok ? ok({ step: "PASSWORD_RESET", reset: reset.value }) : reset;
        }
        case "EMAIL_CHANGE": {
          // As the code: only the signed-in session of the account that asked for the change.
          if (client.signedInUserId !== target.userId) return fail("UNAUTHORIZED");
          const changed = await confirmEmailChangeWith(
            target.userId,
            target.email,
            credential,
            client,
          );
          return changed.ok ? ok({ step: "EMAIL_CHANGE", changed: changed.value }) : changed;
        }
      }
    },

    /**
     * Signs in with email and password. A wrong password and an unknown address
     * answer alike (and cost alike); an unverified account is told so only when
     * the password was right.
     */
    async signIn(input: SignInInput, client: ClientContext = {}): Promise<Result<NewSession>> {
      const parsed = parse(inputs.signIn, input);
      if (!parsed.ok) return parsed;
      const { email, password } = parsed.value;
      const startedAt = performance.now();
      const now = clock();
      const key = recipientKey(keys.recipientHmac, email);
      // The password budget and the consecutive cap are spent before comparing,
      // by the same statement for every address, with or without an account.
      const reservation = await reservePasswordAttempt(db, {
        recipientKey: key,
        email,
        now,
        policy,
      });
      if (reservation.reserved === null) {
        const before = reservation.before;
        if (before !== null && !decideConsecutive(before.consecutiveFailures, policy).allowed) {
          await lockAddress(email, key, now, client, reservation.credentials?.locale);
          return fail("ACCOUNT_LOCKED");
        }
        // No window in this statement's snapshot: a concurrent attempt opened one just now.
        const windowStartedAt = before?.windowStartedAt ?? now;
        return fail("TOO_MANY_ATTEMPTS", { retryAt: passwordRetryAt(windowStartedAt, policy) });
      }
      const credentials = reservation.credentials;
      const dummyPasswordHash = ctx.dummyPasswordHash();
      // No account, or no password: compared against a dummy hash, so every answer costs the same.
      const stored = credentials?.passwordHash ?? null;
      const against = stored ?? (await dummyPasswordHash);
      const normalized = normalizePassword(password);
      let passwordOk = await hasher.verify(against, normalized);
      // A hash made before passwords were normalised (NFKC) was made from the text as typed.
      if (!passwordOk && normalized !== password)
        passwordOk = await hasher.verify(against, password);
      const refusal =
        credentials === null || stored === null || !passwordOk
          ? ("INVALID_CREDENTIALS" as const)
          : !credentials.isVerified
            ? ("EMAIL_NOT_VERIFIED" as const)
            : null;
      if (refusal !== null || credentials === null) {
        // Recorded for the account of the address, if any: the same statement for every address.
        await recordSecurityEventForAddress(db, email, {
          ...event("SIGN_IN_BLOCKED", storedClient(client), now),
          detail: {
            reason: refusal === "INVALID_CREDENTIALS" ? "WRONG_PASSWORD" : "EMAIL_NOT_VERIFIED",
          },
        });
        // The right password of an unverified registration spends its units too (no session).
        if (refusal === "INVALID_CREDENTIALS") {
          const { passwordFailures, consecutiveFailures, windowStartedAt } = reservation.reserved;
          if (passwordBudgetExhausted(passwordFailures, policy)) {
            await noticePasswordLimit(
              email,
              key,
              windowStartedAt,
              now,
              client,
              credentials?.locale,
            );
          }
          if (reachesLock(consecutiveFailures, policy)) {
            await lockAddress(email, key, now, client, credentials?.locale);
          }
        }
        if (credentials !== null) refusedSignInTime.record(performance.now() - startedAt);
        else await refusedSignInTime.pad(startedAt);
        return fail(refusal ?? "INVALID_CREDENTIALS");
      }
      return ok(
        await createSessionFor(credentials.userId, email, credentials.locale, now, client, key),
      );
    },

    /** Lifts the cap on consecutive failures with the token of an unlock link (single use). */
    async unlock(
      input: UnlockInput,
      client: ClientContext = {},
    ): Promise<Result<{ unlocked: true }>> {
      const parsed = parse(inputs.unlock, input);
      if (!parsed.ok) return parsed;
      const now = clock();
      const unlocked = await useUnlockToken(db, {
        tokenHash: unlockTokenHash(parsed.value.token),
        now,
        event: event("ACCOUNT_UNLOCKED", storedClient(client), now),
      });
      if (!unlocked) return fail("TOKEN_INVALID");
      logger.info({}, "account unlocked by its owner's link");
      return ok({ unlocked: true as const });
    },

    /** The account behind a session token, or UNAUTHORIZED. */
    authenticate: (token: string): Promise<Result<SignedInUser>> => authenticate(ctx, token),

    /** Sets the signed-in account's language: every later email and page uses it. */
    async setLocale(input: SetLocaleInput): Promise<Result<{ locale: string }>> {
      const parsed = parse(inputs.setLocale, input);
      if (!parsed.ok) return parsed;
      const { userId, locale } = parsed.value;
      const updated = await setUserLocale(db, { userId, locale, now: clock() });
      if (!updated) return fail("UNAUTHORIZED");
      logger.info({ userId, locale }, "account language set");
      return ok({ locale });
    },

    /** Revokes this session. */
    signOut: (token: string) => signOut(ctx, token),

    /** Revokes every session of the account and records SIGNED_OUT_EVERYWHERE, in one statement. */
    signOutEverywhere: (userId: string, client: ClientContext = {}) =>
      signOutEverywhere(ctx, userId, client),

    /**
     * Sends an EMAIL_CHANGE code to the new address. The answer is the same
     * whether or not the new address is free (no code is sent when another
     * account has it), so it reveals nothing about other accounts.
     */
    async requestEmailChange(
      input: RequestEmailChangeInput,
    ): Promise<Result<{ newEmail: string }>> {
      const parsed = parse(inputs.requestEmailChange, input);
      if (!parsed.ok) return parsed;
      const { userId, newEmail } = parsed.value;
      const now = clock();
      let queued = false;
      const refused = await db.transaction(async (tx) => {
        const outcome = await reserveSendForEmailChange(tx, {
          userId,
          newEmail,
          recipientKey: recipientKey(keys.recipientHmac, newEmail),
          now,
          policy,
        });
        const limitError = sendLimitError(outcome.sendReservation, now);
        if (limitError !== null) return limitError;
        if (outcome.user === null) return domainError("UNAUTHORIZED");
        if (!outcome.taken && outcome.user.email !== newEmail) {
          await issueLocked(tx, outcome.user, "EMAIL_CHANGE", now, newEmail);
          queued = true;
        }
        return null;
      });
      if (refused !== null) return { ok: false, error: refused };
      if (queued) onEmailQueued();
      return ok({ newEmail });
    },

    /**
     * Confirms an email change with the code sent to the new address: the
     * address switches (refused with EMAIL_TAKEN if another account took it
     * meanwhile) and the old address is told, in one statement.
     */
    async confirmEmailChange(
      input: ConfirmEmailChangeInput,
      client: ClientContext = {},
    ): Promise<Result<VerifiedAccount>> {
      const parsed = parse(inputs.confirmEmailChange, input);
      if (!parsed.ok) return parsed;
      const { userId, code } = parsed.value;
      // The cap on consecutive failures is the account's address's.
      const address = await findUserEmail(db, userId);
      if (address === null) return fail("OTP_INVALID");
      return confirmEmailChangeWith(userId, address, { code }, client);
    },

    /**
     * Deletes used and/or expired codes, finished limit windows, expired sessions and
     * finished outbox rows past their retention, in bounded batches; returns the counts.
     */
    async cleanup(input: CleanupInput = {}): Promise<Result<CleanupCounts>> {
      const parsed = parse(inputs.cleanup, input);
      if (!parsed.ok) return parsed;
      const counts = await runCleanup(db, { ...parsed.value, now: clock(), policy });
      logger.info({ ...counts }, "cleanup finished");
      return ok(counts);
    },
  };
}

/** Drizzle wraps driver errors: the SQLSTATE is on the cause (23505 on both drivers). */
function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
