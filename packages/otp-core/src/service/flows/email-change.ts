/** Email change: a code to the new address, then the switch with it (or its link). */
import { recipientKey } from "../../crypto/recipient-key.js";
import { newRowId } from "../../db/row-id.js";
import { domainError, fail, ok, type Result } from "../../errors.js";
import {
  emailChangeCheckEffect,
  emailChangeUndoCheckEffect,
} from "../../repositories/code-effects.js";
import { findUserEmail, reserveSendForEmailChange } from "../../repositories/users.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import { formatLinkToken, hashCode, hashLinkSecret, newLinkSecret } from "../../rules/code-hash.js";
import { EMAIL_CHANGE_UNDO_TTL_SECONDS } from "../../rules/code-types.js";
import type { ServiceContext } from "../context.js";
import { type Credential, useCode } from "../engine/check.js";
import { issueLocked, sendLimitError } from "../engine/issue.js";
import { event, sealNotice } from "../engine/notices.js";
import type { ConfirmEmailChangeInput, RequestEmailChangeInput } from "../inputs.js";
import type { VerifiedAccount } from "../types.js";
import { type AuthenticatedSession, requireRecentAuthentication } from "./reauthentication.js";

/**
 * Sends an EMAIL_CHANGE code to the new address. The answer is the same
 * whether or not the new address is free (no code is sent when another
 * account has it), so it reveals nothing about other accounts. The session
 * asking must have proved who is at it within `reauthMaxAgeSeconds`
 * (REAUTHENTICATION_REQUIRED otherwise, ADR 20).
 */
export async function requestEmailChange(
  ctx: ServiceContext,
  input: RequestEmailChangeInput,
  session?: AuthenticatedSession,
): Promise<Result<{ newEmail: string }>> {
  const parsed = ctx.parse(ctx.inputs.requestEmailChange, input);
  if (!parsed.ok) return parsed;
  const { userId, newEmail } = parsed.value;
  const now = ctx.clock();
  const stale = requireRecentAuthentication(ctx, session, now);
  if (stale !== null) return stale;
  let queued = false;
  const refused = await ctx.db.transaction(async (tx) => {
    const outcome = await reserveSendForEmailChange(tx, {
      userId,
      newEmail,
      recipientKey: recipientKey(ctx.keys.recipientHmac, newEmail),
      codeType: "EMAIL_CHANGE",
      now,
      policy: ctx.policy,
    });
    const limitError = sendLimitError(ctx, outcome.sendReservation, now);
    if (limitError !== null) return limitError;
    if (outcome.user === null) return domainError("UNAUTHORIZED");
    if (!outcome.taken && outcome.user.email !== newEmail) {
      await issueLocked(ctx, tx, outcome.user, "EMAIL_CHANGE", now, newEmail);
      queued = true;
    }
    return null;
  });
  if (refused !== null) return { ok: false, error: refused };
  if (queued) ctx.onEmailQueued();
  return ok({ newEmail });
}

/**
 * Confirms an email change with the code sent to the new address: the
 * address switches (refused with EMAIL_TAKEN if another account took it
 * meanwhile), every other session of the account ends, and the old address
 * is told, with a link that undoes the change, in one statement. Needs a
 * recent authentication of the session, as the request does.
 */
export async function confirmEmailChange(
  ctx: ServiceContext,
  input: ConfirmEmailChangeInput,
  client: ClientContext = {},
  session?: AuthenticatedSession,
): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
  const parsed = ctx.parse(ctx.inputs.confirmEmailChange, input);
  if (!parsed.ok) return parsed;
  const { userId, code } = parsed.value;
  const stale = requireRecentAuthentication(ctx, session, ctx.clock());
  if (stale !== null) return stale;
  // The cap on consecutive failures is the account's address's.
  const address = await findUserEmail(ctx.db, userId);
  if (address === null) return fail("OTP_INVALID");
  return confirmEmailChangeWith(ctx, userId, address, { code }, client, session?.sessionId ?? null);
}

/** Email change's effect, for its code and its link alike (see `confirmEmailChange`). */
export async function confirmEmailChangeWith(
  ctx: ServiceContext,
  userId: string,
  address: string,
  credential: Credential,
  client: ClientContext,
  /** The session confirming: the one session of the account that stays. */
  keepSession: string | null,
): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
  const now = ctx.clock();
  // The link that undoes the change, mailed to the old address (ADR 20); no code goes with it.
  const undoId = newRowId();
  const undoLink = { passcodeId: undoId, secret: newLinkSecret(ctx.random) };
  const undoExpiresAt = new Date(now.getTime() + EMAIL_CHANGE_UNDO_TTL_SECONDS * 1000);
  try {
    const used = await useCode<{ sessionsRevoked: number }>(ctx, ctx.db, {
      account: { userId },
      address,
      codeType: "EMAIL_CHANGE",
      credential,
      now,
      effect: (found) =>
        emailChangeCheckEffect({
          now,
          notice: sealNotice(ctx, {
            kind: "EMAIL_CHANGED",
            to: found.email,
            locale: found.locale,
            newEmail: found.passcode.newEmail ?? "",
            undoToken: formatLinkToken(undoLink),
            undoExpiresAt: undoExpiresAt.toISOString(),
          }),
          changed: event("EMAIL_CHANGED", storedClient(client), now),
          keepSession,
          undo: {
            passcodeId: undoId,
            // A code nobody knows: the undo row is used only by its link.
            codeHash: hashCode(ctx.keys.codeHmac, {
              userId,
              codeType: "EMAIL_CHANGE_UNDO",
              code: newLinkSecret(ctx.random),
            }),
            linkHash: hashLinkSecret(ctx.keys.linkHmac, undoLink),
            oldEmail: found.email,
            expiresAt: undoExpiresAt,
          },
        }),
    });
    if (!used.ok) return used;
    ctx.onEmailQueued();
    return ok({
      userId,
      email: used.value.found.passcode?.newEmail ?? used.value.found.email,
      sessionsRevoked: used.value.extra.sessionsRevoked ?? 0,
    });
  } catch (error) {
    if (isUniqueViolation(error)) return fail("EMAIL_TAKEN");
    throw error;
  }
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

/**
 * Undoes an email change with the link mailed to the old address (7 days,
 * single use): the old address restored (EMAIL_TAKEN if another account took
 * it meanwhile), every session ended and every device revoked, in one
 * statement, on the same path as every link (`useCode`).
 */
export async function undoEmailChangeWith(
  ctx: ServiceContext,
  userId: string,
  address: string,
  credential: Credential,
  client: ClientContext,
): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
  const now = ctx.clock();
  try {
    const used = await useCode<{ restored: number; sessionsRevoked: number }>(ctx, ctx.db, {
      account: { userId },
      address,
      codeType: "EMAIL_CHANGE_UNDO",
      credential,
      now,
      effect: () =>
        emailChangeUndoCheckEffect({
          now,
          undone: event("EMAIL_CHANGE_UNDONE", storedClient(client), now),
        }),
    });
    if (!used.ok) return used;
    ctx.logger.info({ userId }, "email change undone by the link to the old address");
    return ok({
      userId,
      email: used.value.found.passcode?.newEmail ?? used.value.found.email,
      sessionsRevoked: used.value.extra.sessionsRevoked ?? 0,
    });
  } catch (error) {
    if (isUniqueViolation(error)) return fail("EMAIL_TAKEN");
    throw error;
  }
}
