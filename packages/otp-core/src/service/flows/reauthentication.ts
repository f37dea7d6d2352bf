/**
 * Re-authentication (issue 23 finding 2, ADR 20): the person at a signed-in
 * session proves who they are again, by the password or by a REAUTHENTICATION
 * code sent to the current address, before a step that changes how the
 * account is reached (ASVS 5.0 7.5.1).
 */
import { recipientKey } from "../../crypto/recipient-key.js";
import { domainError, fail, ok, type Result } from "../../errors.js";
import { reservePasswordAttempt } from "../../repositories/account-failures.js";
import { reauthenticationCheckEffect } from "../../repositories/code-effects.js";
import { confirmSessionAuthenticated } from "../../repositories/sessions.js";
import { reserveSendAndLockUser } from "../../repositories/users.js";
import type { ClientContext } from "../../rules/client-context.js";
import type { ServiceContext } from "../context.js";
import { type Credential, useCode } from "../engine/check.js";
import { knownDeviceKey } from "../engine/devices.js";
import { issueLocked, sendLimitError } from "../engine/issue.js";
import {
  chargeWrongPassword,
  passwordMatches,
  refusedPasswordAttempt,
} from "../engine/password.js";
import type { ReauthenticateInput } from "../inputs.js";
import type { SignedInUser } from "../types.js";

/** The session a step is asked from: which one, and when its person last proved who they are. */
export type AuthenticatedSession = Pick<SignedInUser, "sessionId" | "authenticatedAt">;

/**
 * REAUTHENTICATION_REQUIRED unless the session's person proved who they are
 * within `reauthMaxAgeSeconds`; null when they did.
 */
export function requireRecentAuthentication(
  ctx: ServiceContext,
  session: AuthenticatedSession | undefined,
  now: Date,
): Result<never> | null {
  if (session === undefined) return fail("REAUTHENTICATION_REQUIRED");
  const age = now.getTime() - session.authenticatedAt.getTime();
  return age <= ctx.policy.reauthMaxAgeSeconds * 1000 ? null : fail("REAUTHENTICATION_REQUIRED");
}

/**
 * Emails a REAUTHENTICATION code (and its link) to the account's current
 * address: for accounts without a password. The send cap of the address
 * applies, as to every code.
 */
export async function requestReauthenticationCode(
  ctx: ServiceContext,
  user: Pick<SignedInUser, "userId" | "email">,
): Promise<Result<{ email: string }>> {
  const now = ctx.clock();
  const refused = await ctx.db.transaction(async (tx) => {
    const outcome = await reserveSendAndLockUser(tx, {
      email: user.email,
      recipientKey: recipientKey(ctx.keys.recipientHmac, user.email),
      codeType: "REAUTHENTICATION",
      now,
      policy: ctx.policy,
    });
    const limitError = sendLimitError(ctx, outcome.sendReservation, now);
    if (limitError !== null) return limitError;
    if (outcome.user === null || outcome.user.id !== user.userId)
      return domainError("UNAUTHORIZED");
    await issueLocked(ctx, tx, outcome.user, "REAUTHENTICATION", now);
    return null;
  });
  if (refused !== null) return { ok: false, error: refused };
  ctx.onEmailQueued();
  return ok({ email: user.email });
}

/**
 * Proves who is at the session again, with the password or with the
 * REAUTHENTICATION code: the same budgets and cap as signing in (the
 * device's own for a known device), and the session's `authenticatedAt` moves
 * to now.
 */
export async function reauthenticate(
  ctx: ServiceContext,
  user: Pick<SignedInUser, "userId" | "email" | "sessionId">,
  input: ReauthenticateInput,
  client: ClientContext = {},
): Promise<Result<{ authenticatedAt: Date }>> {
  const parsed = ctx.parse(ctx.inputs.reauthenticate, input);
  if (!parsed.ok) return parsed;
  const now = ctx.clock();
  if (parsed.value.otp !== undefined) {
    return reauthenticateWith(ctx, user, { code: parsed.value.otp }, client);
  }
  return reauthenticateWithPassword(ctx, user, parsed.value.password ?? "", now, client);
}

/** Re-authentication by the REAUTHENTICATION code or its link (`useLink`): one path. */
export async function reauthenticateWith(
  ctx: ServiceContext,
  user: Pick<SignedInUser, "userId" | "email" | "sessionId">,
  credential: Credential,
  client: ClientContext,
): Promise<Result<{ authenticatedAt: Date }>> {
  const now = ctx.clock();
  const used = await useCode<{ reauthenticated: number }>(ctx, ctx.db, {
    account: { userId: user.userId },
    address: user.email,
    codeType: "REAUTHENTICATION",
    deviceToken: client.deviceToken,
    credential,
    now,
    effect: () => reauthenticationCheckEffect({ now, sessionId: user.sessionId }),
  });
  if (!used.ok) return used;
  if ((used.value.extra.reauthenticated ?? 0) === 0) return fail("UNAUTHORIZED");
  return ok({ authenticatedAt: now });
}

async function reauthenticateWithPassword(
  ctx: ServiceContext,
  user: Pick<SignedInUser, "userId" | "email" | "sessionId">,
  password: string,
  now: Date,
  client: ClientContext,
): Promise<Result<{ authenticatedAt: Date }>> {
  const { policy } = ctx;
  const email = user.email;
  const deviceKey = await knownDeviceKey(ctx, { userId: user.userId }, client.deviceToken);
  const key = deviceKey ?? recipientKey(ctx.keys.recipientHmac, email);
  const reservation = await reservePasswordAttempt(ctx.db, {
    recipientKey: key,
    email,
    now,
    policy,
  });
  const attempt = { email, key, now, client };
  if (reservation.reserved === null) {
    return refusedPasswordAttempt(ctx, reservation, attempt);
  }
  const credentials = reservation.credentials;
  const stored = credentials?.userId === user.userId ? credentials.passwordHash : null;
  const passwordOk = await passwordMatches(ctx, stored, password);
  if (stored === null || !passwordOk) {
    await chargeWrongPassword(ctx, reservation.reserved, attempt, credentials?.locale);
    return fail("INVALID_CREDENTIALS");
  }
  const confirmed = await confirmSessionAuthenticated(ctx.db, {
    sessionId: user.sessionId,
    userId: user.userId,
    recipientKey: key,
    now,
  });
  if (!confirmed) return fail("UNAUTHORIZED");
  ctx.logger.info({ userId: user.userId, sessionId: user.sessionId }, "re-authenticated");
  return ok({ authenticatedAt: now });
}
