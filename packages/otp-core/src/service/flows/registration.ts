/** Registration: the account and its verification code, resending it, and verifying the address. */
import { recipientKey } from "../../crypto/recipient-key.js";
import { ACCOUNT_DEFAULT_LOCALE } from "../../db/schema.js";
import { ok, type Result } from "../../errors.js";
import { verificationCheckEffect } from "../../repositories/code-effects.js";
import { registerOrLockUser } from "../../repositories/users.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import { deviceTokenHash } from "../../rules/device-token.js";
import {
  bindingMatches,
  bindingTokenHash,
  newBindingToken,
} from "../../rules/registration-binding.js";
import type { ServiceContext } from "../context.js";
import { type CheckTarget, type Credential, useCode } from "../engine/check.js";
import { deviceTokenOf } from "../engine/devices.js";
import { issueLocked, requestCodeByAddress, sendLimitError } from "../engine/issue.js";
import { event, sealNotice } from "../engine/notices.js";
import {
  bindingTokenSchema,
  type RegisterInput,
  type ResendCodeInput,
  type VerifyEmailInput,
} from "../inputs.js";
import type { AcceptedRequest, RegisteredRequest, VerifiedEmail } from "../types.js";
import { newSessionToken } from "./sessions.js";

/** A binding token in the client's context (the registration cookie, ADR 10). */
export type BindingClient = ClientContext & { bindingToken?: string | undefined };

/**
 * Creates an account and sends its verification code. An address that
 * already has an account answers exactly the same: a verified account is
 * left unchanged and its owner is told someone tried to register; an
 * unverified one takes the new password and a fresh code.
 */
export async function register(
  ctx: ServiceContext,
  input: RegisterInput,
): Promise<Result<RegisteredRequest>> {
  const parsed = ctx.parse(ctx.inputs.register, input);
  if (!parsed.ok) return parsed;
  const { email, password, locale = ACCOUNT_DEFAULT_LOCALE } = parsed.value;
  const weak = await ctx.passwords.check(password, email, "password");
  if (weak !== null) return weak;
  // Hash before anything else, whatever the account's state, so every answer costs the same.
  const passwordHash = await ctx.hasher.hash(password);
  const bindingToken = newBindingToken(ctx.random);
  const now = ctx.clock();
  let queued = false;
  const refused = await ctx.db.transaction(async (tx) => {
    const outcome = await registerOrLockUser(tx, {
      email,
      locale,
      recipientKey: recipientKey(ctx.keys.recipientHmac, email),
      codeType: "VERIFICATION",
      now,
      policy: ctx.policy,
    });
    const limitError = sendLimitError(ctx, outcome.sendReservation, now);
    if (limitError !== null) return limitError;
    if (outcome.user === null) return null;
    if (!outcome.user.isVerified) {
      // The password waits on the code, bound to this client (ADR 10).
      await issueLocked(ctx, tx, outcome.user, "VERIFICATION", now, null, {
        passwordHash,
        bindingHash: bindingTokenHash(bindingToken),
      });
    } else {
      // Nobody gets a code; the owner gets a notice, by the statement that issues codes (ADR 25).
      const { email: to, locale: ownerLocale } = outcome.user;
      await issueLocked(
        ctx,
        tx,
        {
          id: null,
          email: to,
          locale: ownerLocale,
          instead: sealNotice(ctx, { kind: "ALREADY_REGISTERED", to, locale: ownerLocale }),
        },
        "VERIFICATION",
        now,
      );
    }
    queued = true;
    if (outcome.user.created) ctx.logger.info({ userId: outcome.user.id }, "account created");
    return null;
  });
  if (refused !== null) return { ok: false, error: refused };
  if (queued) ctx.onEmailQueued();
  return ok({ email, bindingToken });
}

/** Sends a new code by address; every earlier code of the pair is deleted. Enumeration-safe. */
export async function resendCode(
  ctx: ServiceContext,
  input: ResendCodeInput,
): Promise<Result<AcceptedRequest>> {
  const parsed = ctx.parse(ctx.inputs.resendCode, input);
  if (!parsed.ok) return parsed;
  return requestCodeByAddress(ctx, parsed.value.email, parsed.value.codeType);
}

/**
 * Verifies an address with its code: the code used and the account
 * verified in one statement. From the client that registered (its binding
 * token) the registration's password becomes active and a session opens
 * in that statement; from anywhere else the address is proven and no
 * password is activated (ADR 10). Either way EMAIL_VERIFIED is recorded
 * and the client's device becomes one the account knows.
 */
export async function verifyEmail(
  ctx: ServiceContext,
  input: VerifyEmailInput,
  client: BindingClient = {},
): Promise<Result<VerifiedEmail & { deviceToken: string }>> {
  const parsed = ctx.parse(ctx.inputs.verifyEmail, input);
  if (!parsed.ok) return parsed;
  const { email, code } = parsed.value;
  return verifyEmailWith(ctx, { account: { email }, address: email }, { code }, client);
}

/** Verification's effect, for its code and its link alike (see `verifyEmail`). */
export async function verifyEmailWith(
  ctx: ServiceContext,
  target: CheckTarget,
  credential: Credential,
  client: BindingClient,
): Promise<Result<VerifiedEmail & { deviceToken: string }>> {
  // A token of the wrong shape (a stale or forged cookie) binds nothing; it is no input error.
  const token = bindingTokenSchema.safeParse(client.bindingToken);
  const bindingToken = token.success ? token.data : undefined;
  const now = ctx.clock();
  const stored = storedClient(client);
  // The address's owner proved it from this client: the device becomes one the account knows.
  const deviceToken = deviceTokenOf(ctx, client.deviceToken);
  const session = { ...newSessionToken(ctx, now), client: stored };
  const used = await useCode<{ passwordActive: boolean; sessionsCreated: number }>(ctx, ctx.db, {
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
  if (signedIn) ctx.logger.info({ userId, sessionId: session.sessionId }, "signed in");
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
