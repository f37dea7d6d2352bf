/** Password reset: the code by address, then the new password with it (or its link). */
import { ok, type Result } from "../../errors.js";
import { passwordResetCheckEffect } from "../../repositories/code-effects.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import type { ServiceContext } from "../context.js";
import { type CheckTarget, type Credential, useCode } from "../engine/check.js";
import { presentedDeviceHash } from "../engine/devices.js";
import { requestCodeByAddress } from "../engine/issue.js";
import { event, sealNotice } from "../engine/notices.js";
import type { RequestCodeInput, ResetPasswordInput } from "../inputs.js";
import type { AcceptedRequest, VerifiedAccount } from "../types.js";

/** Sends a password-reset code (enumeration-safe). */
export async function requestPasswordReset(
  ctx: ServiceContext,
  input: RequestCodeInput,
): Promise<Result<AcceptedRequest>> {
  const parsed = ctx.parse(ctx.inputs.requestCode, input);
  if (!parsed.ok) return parsed;
  return requestCodeByAddress(ctx, parsed.value.email, "PASSWORD_RESET");
}

/**
 * Resets the password with a PASSWORD_RESET code: the code used, the
 * password replaced, every session revoked and the notice queued, in one
 * statement.
 */
export async function resetPassword(
  ctx: ServiceContext,
  input: ResetPasswordInput,
  client: ClientContext = {},
): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
  const parsed = ctx.parse(ctx.inputs.resetPassword, input);
  if (!parsed.ok) return parsed;
  const { email, code, newPassword } = parsed.value;
  return resetPasswordWith(
    ctx,
    { account: { email }, address: email },
    { code },
    newPassword,
    client,
  );
}

/** Password reset's effect, for its code and its link alike (see `resetPassword`). */
export async function resetPasswordWith(
  ctx: ServiceContext,
  target: CheckTarget,
  credential: Credential,
  newPassword: string,
  client: ClientContext,
): Promise<Result<VerifiedAccount & { sessionsRevoked: number }>> {
  // Checked before the code is spent: a refused password leaves the code usable.
  const weak = await ctx.passwords.check(newPassword, target.address, "newPassword");
  if (weak !== null) return weak;
  const passwordHash = await ctx.hasher.hash(newPassword);
  const now = ctx.clock();
  const used = await useCode<{ sessionsRevoked: number }>(ctx, ctx.db, {
    ...target,
    codeType: "PASSWORD_RESET",
    deviceToken: client.deviceToken,
    credential,
    now,
    effect: (found) =>
      passwordResetCheckEffect({
        passwordHash,
        now,
        keepDevice: presentedDeviceHash(ctx, found.userId, client.deviceToken),
        notice: sealNotice(ctx, {
          kind: "PASSWORD_CHANGED",
          to: found.email,
          locale: found.locale,
          changedAt: now.toISOString(),
        }),
        changed: event("PASSWORD_CHANGED", storedClient(client), now),
      }),
  });
  if (!used.ok) return used;
  ctx.onEmailQueued();
  return ok({
    userId: used.value.found.userId,
    email: used.value.found.email,
    sessionsRevoked: used.value.extra.sessionsRevoked ?? 0,
  });
}
