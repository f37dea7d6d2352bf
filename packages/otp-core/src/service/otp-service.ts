import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { type DerivedKeys, deriveKeys } from "../crypto/keys.js";
import { recipientKey } from "../crypto/recipient-key.js";
import type { Database } from "../db/client.js";
import type { Executor } from "../db/rows.js";
import { type DomainError, fail, ok, type Result } from "../errors.js";
import { type CleanupCounts, deleteStalePasscodes } from "../repositories/cleanup.js";
import {
  consumeVerificationCode,
  lockAccountAndReserveAttempt,
  refundAttempt,
  replacePasscode,
} from "../repositories/passcodes.js";
import { readSendReservation, type SendReservationRow } from "../repositories/send-limits.js";
import {
  type LockedUser,
  lockUserById,
  registerOrLockUser,
  reserveSendAndLockUser,
} from "../repositories/users.js";
import { attemptRetryAt } from "../rules/attempt-budget.js";
import { generateCode, type RandomBytes, secureRandomBytes } from "../rules/code.js";
import { codeHashesMatch, hashCode } from "../rules/code-hash.js";
import type { CodeType } from "../rules/code-types.js";
import { mayReceiveCode } from "../rules/eligibility.js";
import { codeExpiresAt, isExpired } from "../rules/expiry.js";
import { type PasscodePolicy, type PasscodePolicyInput, resolvePolicy } from "../rules/policy.js";
import {
  type CleanupInput,
  createInputSchemas,
  fieldErrorsOf,
  type InputSchemas,
  type IssueCodeInput,
  type RegisterInput,
  type ResendCodeInput,
  type VerifyEmailInput,
} from "./inputs.js";
import { createDefaultLogger, type Logger } from "./logger.js";
import { OUTBOX_KIND_BY_CODE_TYPE, sealOutboxPayload } from "./outbox-payload.js";
import { createArgon2Hasher, type PasswordHasher } from "./password-hasher.js";

export interface OtpServiceOptions {
  db: Database;
  /** The server secret (at least 32 characters); every key is derived from it. */
  secret: string;
  policy?: PasscodePolicyInput;
  clock?: () => Date;
  randomBytes?: RandomBytes;
  logger?: Logger;
  passwordHasher?: PasswordHasher;
  /** Called after a transaction that queued an email commits (wakes in-process delivery). */
  onEmailQueued?: () => void;
}

/** What every address-based request answers, whatever the account's state. */
export interface AcceptedRequest {
  email: string;
}

export interface VerifiedAccount {
  userId: string;
  email: string;
}

export interface IssuedCode {
  passcodeId: string;
  expiresAt: Date;
  /** Codes of the pair the issue deleted (the seed logs this count). */
  deletedCount: number;
}

export type OtpService = ReturnType<typeof createOtpService>;

export function createOtpService(options: OtpServiceOptions) {
  const db = options.db;
  const keys: DerivedKeys = deriveKeys(options.secret);
  const policy: PasscodePolicy = resolvePolicy(options.policy);
  const clock = options.clock ?? (() => new Date());
  const randomBytes = options.randomBytes ?? secureRandomBytes;
  const logger = options.logger ?? createDefaultLogger();
  const hasher = options.passwordHasher ?? createArgon2Hasher();
  const onEmailQueued = options.onEmailQueued ?? (() => {});
  const inputs: InputSchemas = createInputSchemas(policy);
  // Compared against when an account has no code, so that path costs the same.
  const absentCodeHash = "0".repeat(64);

  function parse<S extends z.ZodType>(schema: S, input: unknown): Result<z.output<S>> {
    const parsed = schema.safeParse(input);
    if (parsed.success) return ok(parsed.data);
    return fail("INVALID_INPUT", { fieldErrors: fieldErrorsOf(parsed.error) });
  }

  function sendLimitError(row: SendReservationRow, now: Date): DomainError | null {
    const reservation = readSendReservation(row, now, policy);
    if (reservation.granted) return null;
    const refused = fail("SEND_LIMIT_REACHED", { retryAt: reservation.retryAt });
    return refused.ok ? null : refused.error;
  }

  /**
   * Issues a code inside a transaction that already holds the account's row
   * lock: the seed's delete-all-then-insert, plus the sealed email, in one
   * statement.
   */
  async function issueLocked(
    tx: Executor,
    user: LockedUser,
    codeType: CodeType,
    now: Date,
  ): Promise<IssuedCode> {
    const code = generateCode(policy.codeLength, randomBytes);
    const passcodeId = randomUUID();
    const outboxId = randomUUID();
    const expiresAt = codeExpiresAt(now, policy.codeTtlSeconds);
    const kind = OUTBOX_KIND_BY_CODE_TYPE[codeType];
    const deletedCount = await replacePasscode(tx, {
      userId: user.id,
      codeType,
      passcodeId,
      codeHash: hashCode(keys.codeHmac, { userId: user.id, codeType, code }),
      expiresAt,
      now,
      outbox: {
        id: outboxId,
        kind,
        payload: sealOutboxPayload(keys.outboxEncryption, outboxId, {
          v: 1,
          kind,
          to: user.email,
          code,
          ttlSeconds: policy.codeTtlSeconds,
          expiresAt: expiresAt.toISOString(),
        }),
      },
    });
    logger.info({ userId: user.id, codeType, deletedCount, passcodeId }, "passcode issued");
    return { passcodeId, expiresAt, deletedCount };
  }

  return {
    policy,
    inputs,

    /**
     * Creates an account and sends its verification code. An address that
     * already has an account answers exactly the same: a verified account is
     * left unchanged; an unverified one takes the new password and a fresh code.
     */
    async register(input: RegisterInput): Promise<Result<AcceptedRequest>> {
      const parsed = parse(inputs.register, input);
      if (!parsed.ok) return parsed;
      const { email, password } = parsed.value;
      // Hash before anything else, whatever the account's state, so every answer costs the same.
      const passwordHash = await hasher.hash(password);
      const now = clock();
      let queued = false;
      const refused = await db.transaction(async (tx) => {
        const outcome = await registerOrLockUser(tx, {
          email,
          passwordHash,
          recipientKey: recipientKey(keys.recipientHmac, email),
          now,
          policy,
        });
        const limitError = sendLimitError(outcome.sendReservation, now);
        if (limitError !== null) return limitError;
        if (outcome.user !== null && !outcome.user.isVerified) {
          await issueLocked(tx, outcome.user, "VERIFICATION", now);
          queued = true;
        }
        if (outcome.user?.created) logger.info({ userId: outcome.user.id }, "account created");
        return null;
      });
      if (refused !== null) return { ok: false, error: refused };
      if (queued) onEmailQueued();
      return ok({ email });
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

    /**
     * Sends a new code by address. Every earlier code of the pair is deleted.
     * The answer is the same whether or not the account exists, is verified,
     * or gets a code; only the per-address send cap can refuse, and it counts
     * every address alike.
     */
    async resendCode(input: ResendCodeInput): Promise<Result<AcceptedRequest>> {
      const parsed = parse(inputs.resendCode, input);
      if (!parsed.ok) return parsed;
      const { email, codeType } = parsed.value;
      const now = clock();
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
      if (queued) onEmailQueued();
      return ok({ email });
    },

    /**
     * Verifies an address with its code: marks the code used and the account
     * verified in one statement. Each guess spends a unit of the account's
     * attempt budget before it is compared; a correct code gives it back.
     */
    async verifyEmail(input: VerifyEmailInput): Promise<Result<VerifiedAccount>> {
      const parsed = parse(inputs.verifyEmail, input);
      if (!parsed.ok) return parsed;
      const { email, code } = parsed.value;
      const codeType: CodeType = "VERIFICATION";
      const now = clock();
      return db.transaction(async (tx): Promise<Result<VerifiedAccount>> => {
        const found = await lockAccountAndReserveAttempt(tx, { email, codeType, now, policy });
        // Unknown addresses answer like a wrong code: the answer must not reveal accounts.
        if (found === null) return fail("OTP_INVALID");
        if (found.reservedFailures === null) {
          const retryAt =
            found.windowBefore === null
              ? new Date(now.getTime() + policy.attemptWindowSeconds * 1000)
              : attemptRetryAt(found.windowBefore.windowStartedAt, policy);
          return fail("TOO_MANY_ATTEMPTS", { retryAt });
        }
        const submitted = hashCode(keys.codeHmac, { userId: found.userId, codeType, code });
        const matches = codeHashesMatch(found.passcode?.codeHash ?? absentCodeHash, submitted);
        if (!matches || found.passcode === null) {
          return fail("OTP_INVALID", {
            attemptsLeft: Math.max(0, policy.maxFailedAttempts - found.reservedFailures),
          });
        }
        // The right code, but no longer usable: not a guess, so the unit goes back.
        if (found.passcode.isUsed) {
          await refundAttempt(tx, { userId: found.userId, codeType });
          return fail("OTP_ALREADY_USED");
        }
        if (isExpired(found.passcode.expiresAt, now)) {
          await refundAttempt(tx, { userId: found.userId, codeType });
          return fail("OTP_EXPIRED");
        }
        const consumed = await consumeVerificationCode(tx, {
          passcodeId: found.passcode.id,
          userId: found.userId,
          codeType,
          now,
        });
        // Lost a race with a concurrent verification of the same code.
        if (!consumed) return fail("OTP_ALREADY_USED");
        logger.info({ userId: found.userId, passcodeId: found.passcode.id }, "email verified");
        return ok({ userId: found.userId, email });
      });
    },

    /** Deletes used and/or expired codes and finished limit windows; returns the counts. */
    async cleanup(input: CleanupInput = {}): Promise<Result<CleanupCounts>> {
      const parsed = parse(inputs.cleanup, input);
      if (!parsed.ok) return parsed;
      const counts = await deleteStalePasscodes(db, { ...parsed.value, now: clock(), policy });
      logger.info({ ...counts }, "cleanup finished");
      return ok(counts);
    },
  };
}
