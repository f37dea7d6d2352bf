/** Email change: a code to the new address, then the switch with it (or its link). */
import { recipientKey } from "../../crypto/recipient-key.js";
import { domainError, fail, ok, type Result } from "../../errors.js";
import { emailChangeCheckEffect } from "../../repositories/code-effects.js";
import { findUserEmail, reserveSendForEmailChange } from "../../repositories/users.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import type { ServiceContext } from "../context.js";
import { type Credential, useCode } from "../engine/check.js";
import { issueLocked, sendLimitError } from "../engine/issue.js";
import { event, sealNotice } from "../engine/notices.js";
import type { ConfirmEmailChangeInput, RequestEmailChangeInput } from "../inputs.js";
import type { VerifiedAccount } from "../types.js";

/**
 * Sends an EMAIL_CHANGE code to the new address. The answer is the same
 * whether or not the new address is free (no code is sent when another
 * account has it), so it reveals nothing about other accounts.
 */
export async function requestEmailChange(
  ctx: ServiceContext,
  input: RequestEmailChangeInput,
): Promise<Result<{ newEmail: string }>> {
  const parsed = ctx.parse(ctx.inputs.requestEmailChange, input);
  if (!parsed.ok) return parsed;
  const { userId, newEmail } = parsed.value;
  const now = ctx.clock();
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
 * meanwhile) and the old address is told, in one statement.
 */
export async function confirmEmailChange(
  ctx: ServiceContext,
  input: ConfirmEmailChangeInput,
  client: ClientContext = {},
): Promise<Result<VerifiedAccount>> {
  const parsed = ctx.parse(ctx.inputs.confirmEmailChange, input);
  if (!parsed.ok) return parsed;
  const { userId, code } = parsed.value;
  // The cap on consecutive failures is the account's address's.
  const address = await findUserEmail(ctx.db, userId);
  if (address === null) return fail("OTP_INVALID");
  return confirmEmailChangeWith(ctx, userId, address, { code }, client);
}

/** Email change's effect, for its code and its link alike (see `confirmEmailChange`). */
export async function confirmEmailChangeWith(
  ctx: ServiceContext,
  userId: string,
  address: string,
  credential: Credential,
  client: ClientContext,
): Promise<Result<VerifiedAccount>> {
  const now = ctx.clock();
  try {
    const used = await useCode(ctx, ctx.db, {
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
          }),
          changed: event("EMAIL_CHANGED", storedClient(client), now),
        }),
    });
    if (!used.ok) return used;
    ctx.onEmailQueued();
    return ok({ userId, email: used.value.found.passcode?.newEmail ?? used.value.found.email });
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
