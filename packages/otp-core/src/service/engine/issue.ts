/** Issuing a code: the send cap, the seed's delete-all-then-insert and the sealed email. */
import { recipientKey } from "../../crypto/recipient-key.js";
import { newRowId } from "../../db/row-id.js";
import type { Executor } from "../../db/rows.js";
import { ACCOUNT_DEFAULT_LOCALE } from "../../db/schema.js";
import { type DomainError, domainError, ok, type Result } from "../../errors.js";
import type { QueuedNotice } from "../../repositories/passcode-effects.js";
import { replacePasscode } from "../../repositories/passcodes.js";
import { readSendReservation, type SendReservationRow } from "../../repositories/send-limits.js";
import { type LockedUser, reserveSendAndLockUser } from "../../repositories/users.js";
import { generateCode } from "../../rules/code.js";
import { formatLinkToken, hashCode, hashLinkSecret, newLinkSecret } from "../../rules/code-hash.js";
import type { MailedCodeType } from "../../rules/code-types.js";
import { mayReceiveCode } from "../../rules/eligibility.js";
import { codeExpiresAt } from "../../rules/expiry.js";
import type { ServiceContext } from "../context.js";
import {
  NO_RECIPIENT_KIND,
  OUTBOX_KIND_BY_CODE_TYPE,
  sealOutboxPayload,
} from "../outbox-payload.js";
import { currentTraceContext } from "../trace-context.js";
import type { AcceptedRequest, IssuedCode } from "../types.js";

/** SEND_LIMIT_REACHED (with when to retry and why) if the send slot was refused, else null. */
export function sendLimitError(
  ctx: ServiceContext,
  row: SendReservationRow,
  now: Date,
): DomainError | null {
  const reservation = readSendReservation(row, now, ctx.policy);
  return reservation.granted
    ? null
    : domainError("SEND_LIMIT_REACHED", {
        retryAt: reservation.retryAt,
        reason: reservation.reason,
      });
}

/**
 * Nobody to send to: an address without an account, or an account this code type is not for.
 * Issuing to nobody does all the work of issuing (the code, its hashes, the sealed email, the
 * same statement, the email queued) but stores no code, and its email is a decoy no one can
 * open and delivery never sends (NO_RECIPIENT_KIND), so the answer costs the same whoever
 * asked (ADR 5, ADR 25).
 */
export interface Nobody {
  id: null;
  email: string;
  locale: string;
  /**
   * What goes out instead of the decoy, if anything: a notice to the account's owner (a
   * registration for a verified address, "someone tried to register"), queued by the same
   * statement, so that request too costs what issuing costs.
   */
  instead?: QueuedNotice;
}

/**
 * Issues a code inside a transaction that already holds the account's row
 * lock: the seed's delete-all-then-insert, plus the sealed email, in one
 * statement. EMAIL_CHANGE codes go to the new address.
 */
export async function issueLocked(
  ctx: ServiceContext,
  tx: Executor,
  user: LockedUser | Nobody,
  codeType: MailedCodeType,
  now: Date,
  newEmail: string | null = null,
  pending?: { passwordHash: string; bindingHash: string },
): Promise<IssuedCode> {
  const { keys, policy } = ctx;
  const code = generateCode(policy.codeLength, ctx.random);
  const passcodeId = newRowId();
  // The link beside the code: the row's id and a secret of its own (rules/code-hash.ts).
  const link = { passcodeId, secret: newLinkSecret(ctx.random) };
  const outboxId = newRowId();
  const expiresAt = codeExpiresAt(now, policy.codeTtlSeconds);
  const kind = OUTBOX_KIND_BY_CODE_TYPE[codeType];
  const deletedCount = await replacePasscode(tx, {
    userId: user.id,
    codeType,
    passcodeId,
    codeHash: hashCode(keys.codeHmac, { userId: user.id ?? "", codeType, code }),
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
    // Nobody's notice carries no code (sent as it is); else the code's email, or its decoy.
    outbox:
      user.id === null && user.instead !== undefined
        ? { ...user.instead, passcodeId: null }
        : {
            id: outboxId,
            kind: user.id === null ? NO_RECIPIENT_KIND : kind,
            payload: sealOutboxPayload(
              user.id === null ? ctx.decoyKey : keys.outboxEncryption,
              outboxId,
              {
                v: 1,
                kind,
                to: newEmail ?? user.email,
                locale: user.locale,
                code,
                linkToken: formatLinkToken(link),
                ttlSeconds: policy.codeTtlSeconds,
                expiresAt: expiresAt.toISOString(),
              },
            ),
            traceContext: currentTraceContext(),
          },
  });
  if (user.id === null) {
    ctx.logger.info({ codeType }, "code requested: nobody to send a code to");
  } else {
    ctx.logger.info({ userId: user.id, codeType, deletedCount, passcodeId }, "passcode issued");
    ctx.observer.codeIssued(codeType);
  }
  return { passcodeId, expiresAt, deletedCount };
}

/**
 * Sends a code by address (enumeration-safe: the same answer whatever the
 * account's state; only the per-address send cap can refuse, and it counts
 * every address alike). Every address takes the same steps: the same two
 * statements, a code made and sealed, an email queued, delivery woken; only an
 * address that may receive the code gets a code stored and its email sent (ADR 5, ADR 25).
 */
export async function requestCodeByAddress(
  ctx: ServiceContext,
  email: string,
  codeType: MailedCodeType,
): Promise<Result<AcceptedRequest>> {
  const now = ctx.clock();
  const refused = await ctx.db.transaction(async (tx) => {
    const outcome = await reserveSendAndLockUser(tx, {
      email,
      recipientKey: recipientKey(ctx.keys.recipientHmac, email),
      codeType,
      now,
      policy: ctx.policy,
    });
    const limitError = sendLimitError(ctx, outcome.sendReservation, now);
    if (limitError !== null) return limitError;
    const recipient: LockedUser | Nobody =
      outcome.user !== null && mayReceiveCode(outcome.user, codeType)
        ? outcome.user
        : { id: null, email, locale: outcome.user?.locale ?? ACCOUNT_DEFAULT_LOCALE };
    await issueLocked(ctx, tx, recipient, codeType, now);
    return null;
  });
  if (refused !== null) return { ok: false, error: refused };
  // Delivery is woken alike: for nobody it finds nothing to send.
  ctx.onEmailQueued();
  return ok({ email });
}
