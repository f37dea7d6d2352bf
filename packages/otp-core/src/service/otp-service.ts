import { createHash, randomBytes } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import { type DerivedKeys, deriveKeys } from "../crypto/keys.js";
import { recipientKey } from "../crypto/recipient-key.js";
import type { Database } from "../db/client.js";
import { newRowId } from "../db/row-id.js";
import type { Executor } from "../db/rows.js";
import { ACCOUNT_DEFAULT_LOCALE } from "../db/schema.js";
import { type DomainError, domainError, fail, ok, type Result } from "../errors.js";
import {
  issueUnlockIfNeeded,
  queuePasswordNoticeOnce,
  reservePasswordAttempt,
  useUnlockToken,
} from "../repositories/account-failures.js";
import { openSignedInSession, revokeAllAccountSessions } from "../repositories/account-sessions.js";
import { type CleanupCounts, runCleanup } from "../repositories/cleanup.js";
import { newDeviceExtra, rememberDeviceCtes } from "../repositories/known-devices.js";
import { queueEmail } from "../repositories/outbox.js";
import { createOutboxNotifier } from "../repositories/outbox-notifier.js";
import {
  changeEmailEffect,
  changeEmailExtra,
  type QueuedNotice,
  resetPasswordEffect,
  resetPasswordExtra,
  signInEffect,
  verifyEmailEffect,
  verifyEmailExtra,
  verifyEmailUnboundExtra,
} from "../repositories/passcode-effects.js";
import {
  type AttemptBudgetLookup,
  consumeCode,
  findLinkTarget,
  type LinkTarget,
  lockAccountAndReserveAttempt,
  refundAddressAttempt,
  refundAttempt,
  replacePasscode,
  type VerificationLookup,
} from "../repositories/passcodes.js";
import {
  recordSecurityEventForAddress,
  type SecurityEventToRecord,
  securityEventCte,
} from "../repositories/security-events.js";
import { readSendReservation, type SendReservationRow } from "../repositories/send-limits.js";
import { deleteSession, findSessionUser } from "../repositories/sessions.js";
import {
  findUserEmail,
  type LockedUser,
  lockUserById,
  registerOrLockUser,
  reserveSendAndLockUser,
  reserveSendForEmailChange,
  setUserLocale,
} from "../repositories/users.js";
import { attemptRetryAt, decideAttempt } from "../rules/attempt-budget.js";
import {
  type ClientContext,
  describeClient,
  deviceLabel,
  type StoredClient,
  storedClient,
} from "../rules/client-context.js";
import { generateCode, type RandomBytes, secureRandomBytes } from "../rules/code.js";
import {
  codeHashesMatch,
  formatLinkToken,
  hashCode,
  hashLinkSecret,
  type LinkToken,
  newLinkSecret,
  parseLinkToken,
} from "../rules/code-hash.js";
import type { CodeType } from "../rules/code-types.js";
import {
  decideConsecutive,
  newUnlockToken,
  reachesLock,
  unlockExpiresAt,
  unlockTokenHash,
} from "../rules/consecutive-failures.js";
import { deviceTokenFor, deviceTokenHash } from "../rules/device-token.js";
import { mayReceiveCode } from "../rules/eligibility.js";
import { codeExpiresAt, isExpired } from "../rules/expiry.js";
import { passwordBudgetExhausted, passwordRetryAt } from "../rules/password-budget.js";
import { normalizePassword } from "../rules/password-rules.js";
import { type PasscodePolicy, type PasscodePolicyInput, resolvePolicy } from "../rules/policy.js";
import {
  bindingMatches,
  bindingTokenHash,
  newBindingToken,
} from "../rules/registration-binding.js";
import {
  bindingTokenSchema,
  type CleanupInput,
  type ConfirmEmailChangeInput,
  createInputSchemas,
  type DescribeLinkInput,
  fieldErrorsOf,
  type InputSchemas,
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
import { createDefaultLogger, type Logger } from "./logger.js";
import { codeCheckOutcomeOf, type OtpObserver, safeObserver } from "./observer.js";
import {
  OUTBOX_KIND_BY_CODE_TYPE,
  type OutboxPayload,
  sealOutboxPayload,
} from "./outbox-payload.js";
import { createArgon2Hasher, type PasswordHasher } from "./password-hasher.js";
import { ResponseTimeFloor } from "./response-time.js";
import { createSecurityCenter } from "./security-center.js";
import { currentTraceContext } from "./trace-context.js";

export interface OtpServiceOptions {
  db: Database;
  /** The server secret (at least 32 characters); every key is derived from it. */
  secret: string;
  policy?: PasscodePolicyInput;
  /** Session lifetime; default `DEFAULT_SESSION_TTL_SECONDS` (30 days). */
  sessionTtlSeconds?: number;
  clock?: () => Date;
  randomBytes?: RandomBytes;
  logger?: Logger;
  passwordHasher?: PasswordHasher;
  /**
   * Called after a transaction that queued an email commits (wakes in-process
   * delivery). Dispatchers in other processes are woken by a coalesced NOTIFY
   * the service sends itself.
   */
  onEmailQueued?: () => void;
  /** Told of each code issued and each code check (metrics); see observer.ts. */
  observer?: OtpObserver;
  /**
   * The languages accounts may choose (`users.locale`): the email package's
   * `SUPPORTED_LOCALES`. Default: the column's default only.
   */
  locales?: readonly string[];
}

/** What every address-based request answers, whatever the account's state. */
export interface AcceptedRequest {
  email: string;
}

export interface VerifiedAccount {
  userId: string;
  email: string;
}

/**
 * What register answers for every well-formed address: the binding token goes
 * to the registering client (an HttpOnly cookie) and must come back with the
 * code for the registration's password to become active (ADR 10). Every
 * answer carries one, whatever the account's state.
 */
export interface RegisteredRequest extends AcceptedRequest {
  bindingToken: string;
}

/** A verified address: signed in when the registering client used its own code (ADR 10). */
export interface VerifiedEmail extends VerifiedAccount {
  /** The session the verification opened, or null (the code was not tied to this client). */
  session: NewSession | null;
  /** Whether the account now has a password (false: the owner sets one by reset). */
  passwordActive: boolean;
}

export interface IssuedCode {
  passcodeId: string;
  expiresAt: Date;
  /** Codes of the pair the issue deleted (the seed logs this count). */
  deletedCount: number;
}

/** A new session: the token goes to the client (cookie) and is never stored. */
export interface NewSession {
  token: string;
  expiresAt: Date;
  userId: string;
  email: string;
  /** The device token the client keeps (its device cookie): the one it sent, or a new one. */
  deviceToken: string;
}

export interface SignedInUser {
  /** The session this request came with. */
  sessionId: string;
  userId: string;
  email: string;
  isVerified: boolean;
  /** The account's language (`users.locale`). */
  locale: string;
  sessionExpiresAt: Date;
}

/** What a link's token stands for, as the page that confirms it says it (nothing changed). */
export interface DescribedLink {
  step: CodeType;
  /** The address the link was mailed to (EMAIL_CHANGE: the new address). */
  email: string;
}

/** A used link: the step it stood for, answered as that step's code answers. */
export type UsedLink =
  | { step: "VERIFICATION"; verified: VerifiedEmail & { deviceToken: string } }
  | { step: "SIGN_IN"; session: NewSession }
  | { step: "PASSWORD_RESET"; reset: VerifiedAccount & { sessionsRevoked: number } }
  | { step: "EMAIL_CHANGE"; changed: VerifiedAccount };

/** What a check presents: the code as typed, or the token of the link mailed beside it. */
type Credential = { code: string } | { link: LinkToken };

export type OtpService = ReturnType<typeof createOtpService>;

/** How long a session lives unless configured otherwise: 30 days. */
export const DEFAULT_SESSION_TTL_SECONDS = 30 * 24 * 3600;

/**
 * A session's last-seen time moves at most this often: the session check
 * runs on every signed-in request and writes only when the time is older.
 */
export const SESSION_LAST_SEEN_INTERVAL_SECONDS = 300;

/** Sessions are looked up by the SHA-256 of their token (256 random bits: no salt or stretching needed). */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function createOtpService(options: OtpServiceOptions) {
  const db = options.db;
  const keys: DerivedKeys = deriveKeys(options.secret);
  const policy: PasscodePolicy = resolvePolicy(options.policy);
  const sessionTtlMs = (options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS) * 1000;
  const clock = options.clock ?? (() => new Date());
  const random = options.randomBytes ?? secureRandomBytes;
  const logger = options.logger ?? createDefaultLogger();
  const hasher = options.passwordHasher ?? createArgon2Hasher();
  const wakeLocalDelivery = options.onEmailQueued ?? (() => {});
  const observer = safeObserver(options.observer);
  const notifyOutbox = createOutboxNotifier(db, {
    onError: (error) =>
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "outbox: NOTIFY failed; delivery finds the email on its next poll",
      ),
  });
  const onEmailQueued = () => {
    wakeLocalDelivery();
    notifyOutbox();
  };
  const inputs: InputSchemas = createInputSchemas(policy, options.locales);
  // Compared against when an account has no code, so that path costs the same.
  const absentCodeHash = "0".repeat(64);
  // Verified against when an address has no account, so sign-in costs the same either way.
  let dummyPasswordHash: Promise<string> | undefined;
  // Address-based requests that send nothing wait as long as those that issue a code.
  const codeRequestTime = new ResponseTimeFloor();
  // A refused password sign-in of an address without an account waits as long as one of an
  // account (which also writes its SIGN_IN_BLOCKED event row).
  const refusedSignInTime = new ResponseTimeFloor();

  function parse<S extends z.ZodType>(schema: S, input: unknown): Result<z.output<S>> {
    const parsed = schema.safeParse(input);
    if (parsed.success) return ok(parsed.data);
    return fail("INVALID_INPUT", { fieldErrors: fieldErrorsOf(parsed.error) });
  }

  function sendLimitError(row: SendReservationRow, now: Date): DomainError | null {
    const reservation = readSendReservation(row, now, policy);
    return reservation.granted
      ? null
      : domainError("SEND_LIMIT_REACHED", {
          retryAt: reservation.retryAt,
          reason: reservation.reason,
        });
  }

  function sealNotice(payload: Omit<OutboxPayload, "v">): QueuedNotice {
    const id = newRowId();
    return {
      id,
      kind: payload.kind,
      payload: sealOutboxPayload(keys.outboxEncryption, id, { v: 1, ...payload }),
      traceContext: currentTraceContext(),
    };
  }

  function newSessionToken(now: Date) {
    const token = randomBytes(32).toString("base64url");
    return {
      token,
      sessionId: newRowId(),
      tokenHash: hashSessionToken(token),
      expiresAt: new Date(now.getTime() + sessionTtlMs),
    };
  }

  /**
   * Issues a code inside a transaction that already holds the account's row
   * lock: the seed's delete-all-then-insert, plus the sealed email, in one
   * statement. EMAIL_CHANGE codes go to the new address.
   */
  async function issueLocked(
    tx: Executor,
    user: LockedUser,
    codeType: CodeType,
    now: Date,
    newEmail: string | null = null,
    pending?: { passwordHash: string; bindingHash: string },
  ): Promise<IssuedCode> {
    const code = generateCode(policy.codeLength, random);
    const passcodeId = newRowId();
    // The link beside the code: the row's id and a secret of its own (rules/code-hash.ts).
    const link = { passcodeId, secret: newLinkSecret(random) };
    const outboxId = newRowId();
    const expiresAt = codeExpiresAt(now, policy.codeTtlSeconds);
    const kind = OUTBOX_KIND_BY_CODE_TYPE[codeType];
    const deletedCount = await replacePasscode(tx, {
      userId: user.id,
      codeType,
      passcodeId,
      codeHash: hashCode(keys.codeHmac, { userId: user.id, codeType, code }),
      linkHash: hashLinkSecret(keys.linkHmac, link),
      expiresAt,
      now,
      newEmail,
      // A resent verification code stays bound to the registration it replaces (ADR 10).
      ...(pending !== undefined
        ? { pending }
        : codeType === "VERIFICATION"
          ? { pending: "carry" as const }
          : {}),
      outbox: {
        id: outboxId,
        kind,
        payload: sealOutboxPayload(keys.outboxEncryption, outboxId, {
          v: 1,
          kind,
          to: newEmail ?? user.email,
          locale: user.locale,
          code,
          linkToken: formatLinkToken(link),
          ttlSeconds: policy.codeTtlSeconds,
          expiresAt: expiresAt.toISOString(),
        }),
        traceContext: currentTraceContext(),
      },
    });
    logger.info({ userId: user.id, codeType, deletedCount, passcodeId }, "passcode issued");
    observer.codeIssued(codeType);
    return { passcodeId, expiresAt, deletedCount };
  }

  /**
   * Sends a code by address (enumeration-safe: the same answer whatever the
   * account's state; only the per-address send cap can refuse, and it counts
   * every address alike).
   */
  async function requestCodeByAddress(
    email: string,
    codeType: CodeType,
  ): Promise<Result<AcceptedRequest>> {
    const now = clock();
    const startedAt = performance.now();
    let queued = false;
    const refused = await db.transaction(async (tx) => {
      const outcome = await reserveSendAndLockUser(tx, {
        email,
        recipientKey: recipientKey(keys.recipientHmac, email),
        now,
        policy,
      });
      const limitError = sendLimitError(outcome.sendReservation, now);
      if (limitError !== null) return limitError;
      if (mayReceiveCode(outcome.user, codeType) && outcome.user !== null) {
        await issueLocked(tx, outcome.user, codeType, now);
        queued = true;
      }
      return null;
    });
    if (refused !== null) return { ok: false, error: refused };
    if (queued) {
      codeRequestTime.record(performance.now() - startedAt);
      onEmailQueued();
    } else {
      await codeRequestTime.pad(startedAt);
    }
    return ok({ email });
  }

  interface CodeCheck<Extra> {
    account: { email: string } | { userId: string };
    /** The address whose cap on consecutive failures this check counts against. */
    address: string;
    codeType: CodeType;
    /** The code typed, or the link's token: one credential, one path. */
    credential: Credential;
    now: Date;
    /** The code's effect, built once the account and its code are known. */
    effect: (
      found: VerificationLookup & { passcode: NonNullable<VerificationLookup["passcode"]> },
    ) => {
      effect: SQL;
      extra?: SQL;
      check?: (extra: Partial<Extra>) => DomainError | null;
    };
  }

  /**
   * The answer to a wrong guess that was counted: how many tries the window
   * has left and, on its last, when the next one is possible (the window this
   * attempt was counted in, as the budget's rule opens it).
   */
  function wrongGuess(
    code: "OTP_INVALID" | "LINK_INVALID",
    reservedFailures: number,
    windowBefore: AttemptBudgetLookup["windowBefore"],
    now: Date,
  ): Result<never> {
    const attemptsLeft = Math.max(0, policy.maxFailedAttempts - reservedFailures);
    if (attemptsLeft > 0) return fail(code, { attemptsLeft });
    const counted = decideAttempt(windowBefore, now, policy);
    const windowStartedAt = counted.allowed ? counted.next.windowStartedAt : now;
    return fail(code, { attemptsLeft, retryAt: attemptRetryAt(windowStartedAt, policy) });
  }

  /**
   * The one way a code is checked and used, for every code type: lock the
   * account and spend an attempt unit (so parallel guesses cannot overdraw the
   * budget), compare in constant time, then consume the code together with its
   * effect in one statement. Two statements, each its own transaction and
   * each taking the account's row lock first (ADR 8): the spent unit is
   * committed before the comparison, and nothing waits on a round trip while
   * holding a lock.
   */
  async function useCode<Extra extends object>(
    executor: Executor,
    check: CodeCheck<Extra>,
  ): Promise<Result<{ found: VerificationLookup; extra: Partial<Extra> }>> {
    const result = await checkAndUseCode(executor, check);
    observer.codeChecked(check.codeType, codeCheckOutcomeOf(result.ok ? null : result.error.code));
    return result;
  }

  async function checkAndUseCode<Extra extends object>(
    executor: Executor,
    check: CodeCheck<Extra>,
  ): Promise<Result<{ found: VerificationLookup; extra: Partial<Extra> }>> {
    const { codeType, credential, now } = check;
    // A wrong link is charged like a wrong code, and says it was the link.
    const invalid = "link" in credential ? "LINK_INVALID" : "OTP_INVALID";
    const key = recipientKey(keys.recipientHmac, check.address);
    const { guard, budget, found } = await lockAccountAndReserveAttempt(executor, {
      account: check.account,
      recipientKey: key,
      codeType,
      now,
      policy,
    });
    if (guard.locked) {
      // (Re)sends the unlock link if the last one expired; nothing for an unknown address.
      await lockAddress(check.address, key, now, {}, found?.locale);
      return fail("ACCOUNT_LOCKED");
    }
    // From here an unknown address answers exactly as an account without a live
    // code: its own budget was spent by the same rule (ADR 5), and it counts
    // toward the cap alike, so it reaches ACCOUNT_LOCKED after as many failures.
    if (budget.reservedFailures === null) {
      // No window in this statement's snapshot: a concurrent attempt opened one just now.
      const retryAt = attemptRetryAt(budget.windowBefore?.windowStartedAt ?? now, policy);
      return fail("TOO_MANY_ATTEMPTS", { retryAt });
    }
    if (guard.reservedConsecutive === null) {
      // A concurrent check took the address to its cap: this one compares nothing.
      await (found === null
        ? refundAddressAttempt(executor, { recipientKey: key, codeType })
        : refundAttempt(executor, { userId: found.userId, codeType, recipientKey: null }));
      return fail("ACCOUNT_LOCKED");
    }
    const reserved = budget.reservedFailures;
    if (found === null) {
      if (reachesLock(guard.reservedConsecutive, policy))
        await lockAddress(check.address, key, now);
      return wrongGuess(invalid, reserved, budget.windowBefore, now);
    }
    const { matches, replaced } = compareCredential(found, codeType, credential);
    if (!matches && replaced && found.passcode !== null) {
      // The code of an earlier email: not a guess, so the units go back; the person needs the latest email.
      await refundAttempt(executor, { userId: found.userId, codeType, recipientKey: key });
      return fail("OTP_REPLACED");
    }
    if (!matches || found.passcode === null) {
      if (reachesLock(guard.reservedConsecutive, policy))
        await lockAddress(check.address, key, now, {}, found.locale);
      return wrongGuess(invalid, reserved, budget.windowBefore, now);
    }
    // The right code, but no longer usable: not a guess, so the units go back.
    if (found.passcode.isUsed) {
      await refundAttempt(executor, { userId: found.userId, codeType, recipientKey: key });
      return fail("OTP_ALREADY_USED");
    }
    if (isExpired(found.passcode.expiresAt, now)) {
      await refundAttempt(executor, { userId: found.userId, codeType, recipientKey: key });
      return fail("OTP_EXPIRED");
    }
    const effect = check.effect({ ...found, passcode: found.passcode });
    const result = await consumeCode<Extra>(executor, {
      passcodeId: found.passcode.id,
      userId: found.userId,
      recipientKey: key,
      codeType,
      now,
      effect: effect.effect,
      ...(effect.extra === undefined ? {} : { extra: effect.extra }),
    });
    // Lost a race: the code was used, or replaced by a new one, since the lookup.
    if (!result.consumed) return fail("OTP_ALREADY_USED");
    const refused = effect.check?.(result) ?? null;
    if (refused !== null) return { ok: false, error: refused };
    logger.info({ userId: found.userId, codeType, passcodeId: found.passcode.id }, "passcode used");
    return ok({ found, extra: result });
  }

  /**
   * Whether the credential matches the account's code row, in constant time,
   * and (codes only) whether it is the code a newer one replaced. A link names
   * its row: a replaced row is gone, so its link matches nothing.
   */
  function compareCredential(
    found: VerificationLookup,
    codeType: CodeType,
    credential: Credential,
  ): { matches: boolean; replaced: boolean } {
    if ("code" in credential) {
      const submitted = hashCode(keys.codeHmac, {
        userId: found.userId,
        codeType,
        code: credential.code,
      });
      return {
        matches: codeHashesMatch(found.passcode?.codeHash ?? absentCodeHash, submitted),
        // Compared every time, so a wrong code and a replaced one cost the same.
        replaced: codeHashesMatch(found.passcode?.replacedCodeHash ?? absentCodeHash, submitted),
      };
    }
    const submitted = hashLinkSecret(keys.linkHmac, credential.link);
    const sameRow = found.passcode?.id === credential.link.passcodeId;
    const matches = codeHashesMatch(found.passcode?.linkHash ?? absentCodeHash, submitted);
    return { matches: matches && sameRow, replaced: false };
  }

  /**
   * An address at its cap of consecutive failures: give it an unlock token
   * (unless it has a live one) and email its owner the link, in one statement.
   * The token is sealed for an unknown address too (the same work), but
   * nothing is queued for it.
   */
  async function lockAddress(
    email: string,
    key: string,
    now: Date,
    client: ClientContext = {},
    /** The account's language, when the caller knows the account (nothing is queued otherwise). */
    locale?: string,
  ): Promise<void> {
    const token = newUnlockToken(random);
    const expiresAt = unlockExpiresAt(now, policy);
    const queued = await issueUnlockIfNeeded(db, {
      recipientKey: key,
      email,
      now,
      policy,
      tokenHash: unlockTokenHash(token),
      expiresAt,
      notice: sealNotice({
        kind: "ACCOUNT_LOCKED",
        to: email,
        ...(locale === undefined ? {} : { locale }),
        unlockToken: token,
        expiresAt: expiresAt.toISOString(),
      }),
      event: event("ACCOUNT_LOCKED", storedClient(client), now),
    });
    if (queued) {
      logger.warn({}, "account locked after too many consecutive failures; unlock link queued");
      onEmailQueued();
    }
  }

  /**
   * The first time an address's password budget runs out in a window: mark
   * the window and queue the notice to its owner (time, IP, browser and
   * system), in one statement; nothing is queued for an unknown address.
   */
  async function noticePasswordLimit(
    email: string,
    key: string,
    windowStartedAt: Date,
    now: Date,
    client: ClientContext,
    locale: string | undefined,
  ): Promise<void> {
    const who = describeClient(client);
    const queued = await queuePasswordNoticeOnce(db, {
      recipientKey: key,
      email,
      windowStartedAt,
      now,
      notice: sealNotice({
        kind: "PASSWORD_LIMIT_REACHED",
        to: email,
        ...(locale === undefined ? {} : { locale }),
        attempt: { at: now.toISOString(), ...who },
      }),
    });
    if (queued) onEmailQueued();
  }

  function event(type: SecurityEventToRecord["type"], client: StoredClient, now: Date) {
    return { type, client, now } satisfies SecurityEventToRecord;
  }

  /** The "new sign-in" notice for the account's owner, sealed; queued only if the device is new. */
  function newSignInNotice(
    to: string,
    locale: string,
    client: StoredClient,
    now: Date,
  ): QueuedNotice {
    return sealNotice({
      kind: "NEW_SIGN_IN",
      to,
      locale,
      signedInAt: now.toISOString(),
      ip: client.ip ?? "unknown",
      device: deviceLabel(client.userAgent),
    });
  }

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

  /** Where a check is charged: the account (by address or id) and the address of its cap. */
  interface CheckTarget {
    account: { email: string } | { userId: string };
    address: string;
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
        const recorded = sql`${securityEventCte("verified_event", fromConsumed, event("EMAIL_VERIFIED", stored, now))},
          ${rememberDeviceCtes({ source: fromConsumed, deviceHash: deviceTokenHash(found.userId, deviceToken), now })}`;
        return bound
          ? {
              effect: sql`${verifyEmailEffect({ now, bound: { passwordHash: pending, session } })},
                ${recorded},
                ${securityEventCte("signed_in", signedInFromSession, { ...event("SIGNED_IN", stored, now), detail: { method: "code" } })}`,
              extra: verifyEmailExtra,
            }
          : {
              effect: sql`${verifyEmailEffect({ now, bound: null })}, ${recorded}`,
              extra: verifyEmailUnboundExtra,
            };
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
      effect: (found) => ({
        effect: sql`${resetPasswordEffect({
          passwordHash,
          now,
          notice: sealNotice({
            kind: "PASSWORD_CHANGED",
            to: found.email,
            locale: found.locale,
            changedAt: now.toISOString(),
          }),
        })},
          ${securityEventCte("changed_event", fromConsumed, event("PASSWORD_CHANGED", storedClient(client), now))}`,
        extra: resetPasswordExtra,
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
      effect: (found) => ({
        effect: sql`${signInEffect({ ...session, now })},
          ${securityEventCte("signed_in", signedInFromSession, { ...event("SIGNED_IN", stored, now), detail: { method: "code" } })},
          ${rememberDeviceCtes({
            source: signedInFromSession,
            deviceHash: deviceTokenHash(found.userId, deviceToken),
            now,
            notice: newSignInNotice(found.email, found.locale, stored, now),
          })}`,
        extra: newDeviceExtra,
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
        effect: (found) => ({
          effect: sql`${changeEmailEffect({
            now,
            notice: sealNotice({
              kind: "EMAIL_CHANGED",
              to: found.email,
              locale: found.locale,
              newEmail: found.passcode.newEmail ?? "",
            }),
          })},
            ${securityEventCte("changed_event", sql`SELECT id AS user_id FROM switched`, event("EMAIL_CHANGED", storedClient(client), now))}`,
          extra: changeEmailExtra,
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
      dummyPasswordHash ??= hasher.hash(randomBytes(16).toString("hex"));
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
    async authenticate(token: string): Promise<Result<SignedInUser>> {
      const parsed = parse(inputs.sessionToken, token);
      if (!parsed.ok) return fail("UNAUTHORIZED");
      const now = clock();
      const user = await findSessionUser(db, {
        tokenHash: hashSessionToken(parsed.value),
        now,
        touchBefore: new Date(now.getTime() - SESSION_LAST_SEEN_INTERVAL_SECONDS * 1000),
      });
      if (user === null) return fail("UNAUTHORIZED");
      return ok({
        sessionId: user.sessionId,
        userId: user.userId,
        email: user.email,
        isVerified: user.isVerified,
        locale: user.locale,
        sessionExpiresAt: user.expiresAt,
      });
    },

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
    async signOut(token: string): Promise<Result<{ signedOut: boolean }>> {
      const parsed = parse(inputs.sessionToken, token);
      if (!parsed.ok) return ok({ signedOut: false });
      return ok({ signedOut: await deleteSession(db, hashSessionToken(parsed.value)) });
    },

    /** Revokes every session of the account and records SIGNED_OUT_EVERYWHERE, in one statement. */
    async signOutEverywhere(
      userId: string,
      client: ClientContext = {},
    ): Promise<Result<{ sessionsRevoked: number }>> {
      const sessionsRevoked = await revokeAllAccountSessions(db, {
        userId,
        event: event("SIGNED_OUT_EVERYWHERE", storedClient(client), clock()),
      });
      logger.info({ userId, sessionsRevoked }, "signed out everywhere");
      return ok({ sessionsRevoked });
    },

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

/** The account whose code the statement consumed (effects read it from the `consumed` CTE). */
const fromConsumed = sql`SELECT user_id FROM consumed`;
/** That account, if the statement also opened a session (the `session` CTE). */
const signedInFromSession = sql`SELECT user_id FROM consumed WHERE EXISTS (SELECT 1 FROM session)`;

/** Drizzle wraps driver errors: the SQLSTATE is on the cause (23505 on both drivers). */
function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
