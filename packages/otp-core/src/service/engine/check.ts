/** The one way a code (or the link beside it) is checked and used, for every code type (ADR 7). */
import { recipientKey } from "../../crypto/recipient-key.js";
import type { Database } from "../../db/client.js";
import type { Executor } from "../../db/rows.js";
import { type DomainError, fail, ok, type Result } from "../../errors.js";
import type { CodeEffect } from "../../repositories/code-effects.js";
import {
  type AttemptBudgetLookup,
  consumeCode,
  lockAccountAndReserveAttempt,
  refundAddressAttempt,
  refundAttempt,
  type VerificationLookup,
} from "../../repositories/passcodes.js";
import { attemptRetryAt, decideAttempt } from "../../rules/attempt-budget.js";
import {
  codeHashesMatch,
  hashCode,
  hashLinkSecret,
  type LinkToken,
} from "../../rules/code-hash.js";
import type { CodeType } from "../../rules/code-types.js";
import { reachesLock } from "../../rules/consecutive-failures.js";
import { isExpired } from "../../rules/expiry.js";
import type { ServiceContext } from "../context.js";
import { codeCheckOutcomeOf } from "../observer.js";
import { knownDeviceKey } from "./devices.js";
import { lockAddress } from "./lockout.js";

/** Compared against when an account has no code, so that path costs the same. */
export const ABSENT_CODE_HASH = "0".repeat(64);

/** What a check presents: the code as typed, or the token of the link mailed beside it. */
export type Credential = { code: string } | { link: LinkToken };

/** Where a check is charged: the account (by address or id) and the address of its cap. */
export interface CheckTarget {
  account: { email: string } | { userId: string };
  address: string;
}

export interface CodeCheck<Extra> extends CheckTarget {
  codeType: CodeType;
  /**
   * The device cookie the client sent: a device the account knows spends its
   * own budgets (the attempt window and the consecutive cap, ADR 20).
   */
  deviceToken?: string | undefined;
  /** The code typed, or the link's token: one credential, one path. */
  credential: Credential;
  now: Date;
  /** The code's effect, built once the account and its code are known. */
  effect: (
    found: VerificationLookup & { passcode: NonNullable<VerificationLookup["passcode"]> },
  ) => CodeEffect & {
    check?: (extra: Partial<Extra>) => DomainError | null;
  };
}

/**
 * The answer to a wrong guess that was counted: how many tries the window
 * has left and, on its last, when the next one is possible (the window this
 * attempt was counted in, as the budget's rule opens it).
 */
function wrongGuess(
  ctx: ServiceContext,
  code: "OTP_INVALID" | "LINK_INVALID",
  reservedFailures: number,
  windowBefore: AttemptBudgetLookup["windowBefore"],
  now: Date,
): Result<never> {
  const { policy } = ctx;
  const attemptsLeft = Math.max(0, policy.maxFailedAttempts - reservedFailures);
  if (attemptsLeft > 0) return fail(code, { attemptsLeft });
  const counted = decideAttempt(windowBefore, now, policy);
  const windowStartedAt = counted.allowed ? counted.next.windowStartedAt : now;
  return fail(code, { attemptsLeft, retryAt: attemptRetryAt(windowStartedAt, policy) });
}

/**
 * The one way a code is checked and used, for every code type, in one
 * transaction (ADR 24): lock the account and spend an attempt unit (so
 * parallel guesses cannot overdraw the budget), compare in constant time,
 * then consume the code together with its effect in one statement, or give
 * the unit back when the code matched but cannot be used. The account's row
 * lock is taken first and held to the end, so every statement that follows
 * sees the account as the lookup left it; the answer is given only once the
 * transaction committed, so a wrong guess is never answered before its spent
 * unit is on disk. One commit (one WAL flush) per check.
 */
export async function useCode<Extra extends object>(
  ctx: ServiceContext,
  database: Database,
  check: CodeCheck<Extra>,
): Promise<Result<{ found: VerificationLookup; extra: Partial<Extra> }>> {
  // A device the account knows has budgets of its own; any other client, the address's.
  // Read before the transaction: it changes nothing, and no lock waits on it.
  const deviceKey = await knownDeviceKey(ctx, check.account, check.deviceToken);
  let queued = false;
  const result = await database.transaction((tx) =>
    checkAndUseCode(
      // The unlock email (lockout.ts) is queued in this transaction; delivery wakes after commit.
      { ...ctx, db: tx, onEmailQueued: () => (queued = true) },
      tx,
      check,
      deviceKey,
    ),
  );
  if (queued) ctx.onEmailQueued();
  ctx.observer.codeChecked(
    check.codeType,
    codeCheckOutcomeOf(result.ok ? null : result.error.code),
  );
  return result;
}

async function checkAndUseCode<Extra extends object>(
  ctx: ServiceContext,
  executor: Executor,
  check: CodeCheck<Extra>,
  deviceKey: string | null,
): Promise<Result<{ found: VerificationLookup; extra: Partial<Extra> }>> {
  const { policy } = ctx;
  const { codeType, credential, now } = check;
  // A wrong link is charged like a wrong code, and says it was the link.
  const invalid = "link" in credential ? "LINK_INVALID" : "OTP_INVALID";
  const key = deviceKey ?? recipientKey(ctx.keys.recipientHmac, check.address);
  const { guard, budget, found } = await lockAccountAndReserveAttempt(executor, {
    account: check.account,
    recipientKey: key,
    deviceKey,
    codeType,
    now,
    policy,
  });
  if (guard.locked) {
    // (Re)sends the unlock link if the last one expired; nothing for an unknown address.
    await lockAddress(ctx, check.address, key, now, {}, found?.locale);
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
      : refundAttempt(executor, { userId: found.userId, codeType, recipientKey: null, deviceKey }));
    return fail("ACCOUNT_LOCKED");
  }
  const reserved = budget.reservedFailures;
  if (found === null) {
    if (reachesLock(guard.reservedConsecutive, policy))
      await lockAddress(ctx, check.address, key, now);
    return wrongGuess(ctx, invalid, reserved, budget.windowBefore, now);
  }
  const { matches, replaced } = compareCredential(ctx, found, codeType, credential);
  if (!matches && replaced && found.passcode !== null) {
    // The code of an earlier email: not a guess, so the units go back; the person needs the latest email.
    await refundAttempt(executor, { userId: found.userId, codeType, recipientKey: key, deviceKey });
    return fail("OTP_REPLACED");
  }
  if (!matches || found.passcode === null) {
    if (reachesLock(guard.reservedConsecutive, policy))
      await lockAddress(ctx, check.address, key, now, {}, found.locale);
    return wrongGuess(ctx, invalid, reserved, budget.windowBefore, now);
  }
  // The right code, but no longer usable: not a guess, so the units go back.
  if (found.passcode.isUsed) {
    await refundAttempt(executor, { userId: found.userId, codeType, recipientKey: key, deviceKey });
    return fail("OTP_ALREADY_USED");
  }
  if (isExpired(found.passcode.expiresAt, now)) {
    await refundAttempt(executor, { userId: found.userId, codeType, recipientKey: key, deviceKey });
    return fail("OTP_EXPIRED");
  }
  const effect = check.effect({ ...found, passcode: found.passcode });
  const result = await consumeCode<Extra>(executor, {
    passcodeId: found.passcode.id,
    userId: found.userId,
    recipientKey: key,
    deviceKey,
    codeType,
    now,
    effect: effect.effect,
    ...(effect.extra === undefined ? {} : { extra: effect.extra }),
  });
  // Lost a race: the code was used, or replaced by a new one, since the lookup.
  if (!result.consumed) return fail("OTP_ALREADY_USED");
  const refused = effect.check?.(result) ?? null;
  if (refused !== null) return { ok: false, error: refused };
  ctx.logger.info(
    { userId: found.userId, codeType, passcodeId: found.passcode.id },
    "passcode used",
  );
  return ok({ found, extra: result });
}

/**
 * Whether the credential matches the account's code row, in constant time,
 * and (codes only) whether it is the code a newer one replaced. A link names
 * its row: a replaced row is gone, so its link matches nothing.
 */
function compareCredential(
  ctx: ServiceContext,
  found: VerificationLookup,
  codeType: CodeType,
  credential: Credential,
): { matches: boolean; replaced: boolean } {
  if ("code" in credential) {
    const submitted = hashCode(ctx.keys.codeHmac, {
      userId: found.userId,
      codeType,
      code: credential.code,
    });
    return {
      matches: codeHashesMatch(found.passcode?.codeHash ?? ABSENT_CODE_HASH, submitted),
      // Compared every time, so a wrong code and a replaced one cost the same.
      replaced: codeHashesMatch(found.passcode?.replacedCodeHash ?? ABSENT_CODE_HASH, submitted),
    };
  }
  const submitted = hashLinkSecret(ctx.keys.linkHmac, credential.link);
  const sameRow = found.passcode?.id === credential.link.passcodeId;
  const matches = codeHashesMatch(found.passcode?.linkHash ?? ABSENT_CODE_HASH, submitted);
  return { matches: matches && sameRow, replaced: false };
}
