/** Signing in: by password, and by a SIGN_IN code (or its link). */
import { recipientKey } from "../../crypto/recipient-key.js";
import { newRowId } from "../../db/row-id.js";
import { fail, ok, type Result } from "../../errors.js";
import { reservePasswordAttempt } from "../../repositories/account-failures.js";
import { openSignedInSession } from "../../repositories/account-sessions.js";
import { signInCheckEffect } from "../../repositories/code-effects.js";
import { correctPresumedFailure } from "../../repositories/security-events.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import { deviceTokenHash } from "../../rules/device-token.js";
import type { ServiceContext } from "../context.js";
import { type CheckTarget, type Credential, useCode } from "../engine/check.js";
import { deviceTokenOf, knownDeviceKey } from "../engine/devices.js";
import { requestCodeByAddress } from "../engine/issue.js";
import { event, newSignInNotice } from "../engine/notices.js";
import {
  chargeWrongPassword,
  passwordMatches,
  refusedPasswordAttempt,
} from "../engine/password.js";
import type { RequestCodeInput, SignInInput, SignInWithCodeInput } from "../inputs.js";
import type { AcceptedRequest, NewSession } from "../types.js";
import { newSessionToken } from "./sessions.js";

/**
 * Signs in with email and password. A wrong password and an unknown address
 * answer alike (and cost alike); an unverified account is told so only when
 * the password was right.
 */
export async function signIn(
  ctx: ServiceContext,
  input: SignInInput,
  client: ClientContext = {},
): Promise<Result<NewSession>> {
  const { policy } = ctx;
  const parsed = ctx.parse(ctx.inputs.signIn, input);
  if (!parsed.ok) return parsed;
  const { email, password } = parsed.value;
  const now = ctx.clock();
  // A device the account knows has a password budget and a cap of its own (ADR 20).
  const deviceKey = await knownDeviceKey(ctx, { email }, client.deviceToken);
  const key = deviceKey ?? recipientKey(ctx.keys.recipientHmac, email);
  // The password budget and the consecutive cap are spent before comparing, and the
  // password presumed wrong (its SIGN_IN_BLOCKED recorded for the account, if any), by the
  // same statement for every address: a wrong password needs no statement after the
  // comparison, so none can tell an account from an unknown address (ADR 25).
  const presumedFailure = {
    id: newRowId(),
    event: {
      ...event("SIGN_IN_BLOCKED", storedClient(client), now),
      detail: { reason: "WRONG_PASSWORD" as const },
    },
  };
  const reservation = await reservePasswordAttempt(ctx.db, {
    recipientKey: key,
    email,
    now,
    policy,
    presumedFailure,
  });
  const attempt = { email, key, now, client };
  if (reservation.reserved === null) {
    ctx.observer.passwordChecked("blocked");
    return refusedPasswordAttempt(ctx, reservation, attempt);
  }
  const credentials = reservation.credentials;
  // No account, or no password: checked against the dummy hash all the same.
  const stored = credentials?.passwordHash ?? null;
  const passwordOk = await passwordMatches(ctx, stored, password);
  const refusal =
    credentials === null || stored === null || !passwordOk
      ? ("INVALID_CREDENTIALS" as const)
      : !credentials.isVerified
        ? ("EMAIL_NOT_VERIFIED" as const)
        : null;
  if (refusal !== null || credentials === null) {
    if (refusal === "INVALID_CREDENTIALS") {
      await chargeWrongPassword(ctx, reservation.reserved, attempt, credentials?.locale);
    } else {
      // The right password of an unverified registration: blocked for another reason (its
      // units stay spent: no session). Its answer already differs, so this costs nothing.
      await correctPresumedFailure(ctx.db, presumedFailure.id, { reason: "EMAIL_NOT_VERIFIED" });
    }
    ctx.observer.passwordChecked(refusal === "EMAIL_NOT_VERIFIED" ? "unverified" : "wrong");
    return fail(refusal ?? "INVALID_CREDENTIALS");
  }
  const session = await createSessionFor(
    ctx,
    credentials.userId,
    email,
    credentials.locale,
    now,
    client,
    key,
    presumedFailure.id,
  );
  ctx.observer.passwordChecked("success");
  return ok(session);
}

/** A password sign-in: session, SIGNED_IN event and device (notice if new) in one statement. */
async function createSessionFor(
  ctx: ServiceContext,
  userId: string,
  email: string,
  locale: string,
  now: Date,
  client: ClientContext | undefined,
  /** The address's HMAC: a right password gives its budget unit back and clears the cap's count. */
  key: string,
  /** The presumed failure's event, withdrawn by the same statement. */
  presumedFailureId: string,
): Promise<NewSession> {
  const session = newSessionToken(ctx, now);
  const stored = storedClient(client);
  const deviceToken = deviceTokenOf(ctx, client?.deviceToken);
  const { newDevice } = await openSignedInSession(ctx.db, {
    userId,
    recipientKey: key,
    session: { ...session, client: stored },
    now,
    event: { ...event("SIGNED_IN", stored, now), detail: { method: "password" } },
    device: {
      deviceHash: deviceTokenHash(userId, deviceToken),
      notice: newSignInNotice(ctx, email, locale, stored, now),
    },
    withdrawnEventId: presumedFailureId,
  });
  if (newDevice) ctx.onEmailQueued();
  ctx.logger.info({ userId, sessionId: session.sessionId, newDevice }, "signed in");
  return { token: session.token, expiresAt: session.expiresAt, userId, email, deviceToken };
}

/** Sends a sign-in code (enumeration-safe). */
export async function requestSignInCode(
  ctx: ServiceContext,
  input: RequestCodeInput,
): Promise<Result<AcceptedRequest>> {
  const parsed = ctx.parse(ctx.inputs.requestCode, input);
  if (!parsed.ok) return parsed;
  return requestCodeByAddress(ctx, parsed.value.email, "SIGN_IN");
}

/** Signs in with a SIGN_IN code: the code used, the address verified and a session created at once. */
export async function signInWithCode(
  ctx: ServiceContext,
  input: SignInWithCodeInput,
  client: ClientContext = {},
): Promise<Result<NewSession>> {
  const parsed = ctx.parse(ctx.inputs.signInWithCode, input);
  if (!parsed.ok) return parsed;
  const { email, code } = parsed.value;
  return signInWith(ctx, { account: { email }, address: email }, { code }, client);
}

/** Sign-in by code's effect, for its code and its link alike (see `signInWithCode`). */
export async function signInWith(
  ctx: ServiceContext,
  target: CheckTarget,
  credential: Credential,
  client: ClientContext,
): Promise<Result<NewSession>> {
  const now = ctx.clock();
  const stored = storedClient(client);
  const session = { ...newSessionToken(ctx, now), client: stored };
  const deviceToken = deviceTokenOf(ctx, client.deviceToken);
  const used = await useCode<{ newDevices: number }>(ctx, ctx.db, {
    ...target,
    codeType: "SIGN_IN",
    deviceToken: client.deviceToken,
    credential,
    now,
    // The session, SIGNED_IN, and the device (with the notice if it is new), with the code.
    effect: (found) =>
      signInCheckEffect({
        session,
        now,
        signedIn: { ...event("SIGNED_IN", stored, now), detail: { method: "code" } },
        deviceHash: deviceTokenHash(found.userId, deviceToken),
        notice: newSignInNotice(ctx, found.email, found.locale, stored, now),
      }),
  });
  if (!used.ok) return used;
  if ((used.value.extra.newDevices ?? 0) > 0) ctx.onEmailQueued();
  return ok({
    token: session.token,
    expiresAt: session.expiresAt,
    userId: used.value.found.userId,
    email: used.value.found.email,
    deviceToken,
  });
}
