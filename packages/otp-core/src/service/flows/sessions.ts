/** Sessions: their tokens, the signed-in account behind one, signing out. */
import { createHash, randomBytes } from "node:crypto";
import { newRowId } from "../../db/row-id.js";
import { fail, ok, type Result } from "../../errors.js";
import { revokeAllAccountSessions } from "../../repositories/account-sessions.js";
import { deleteSession, findSessionUser } from "../../repositories/sessions.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import type { ServiceContext } from "../context.js";
import { presentedDeviceHash } from "../engine/devices.js";
import { event } from "../engine/notices.js";
import type { SignedInUser } from "../types.js";

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

/** A new session's token (for the client), row id, stored hash and expiry. */
export function newSessionToken(ctx: ServiceContext, now: Date) {
  const token = randomBytes(32).toString("base64url");
  return {
    token,
    sessionId: newRowId(),
    tokenHash: hashSessionToken(token),
    expiresAt: new Date(now.getTime() + ctx.sessionTtlMs),
  };
}

/** The account behind a session token, or UNAUTHORIZED. */
export async function authenticate(
  ctx: ServiceContext,
  token: string,
): Promise<Result<SignedInUser>> {
  const parsed = ctx.parse(ctx.inputs.sessionToken, token);
  if (!parsed.ok) return fail("UNAUTHORIZED");
  const now = ctx.clock();
  const user = await findSessionUser(ctx.db, {
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
    authenticatedAt: user.authenticatedAt,
  });
}

/** Revokes this session. */
export async function signOut(
  ctx: ServiceContext,
  token: string,
): Promise<Result<{ signedOut: boolean }>> {
  const parsed = ctx.parse(ctx.inputs.sessionToken, token);
  if (!parsed.ok) return ok({ signedOut: false });
  return ok({ signedOut: await deleteSession(ctx.db, hashSessionToken(parsed.value)) });
}

/**
 * Revokes every session of the account, and every device but the one asking
 * (ADR 20), and records SIGNED_OUT_EVERYWHERE, in one statement.
 */
export async function signOutEverywhere(
  ctx: ServiceContext,
  userId: string,
  client: ClientContext = {},
): Promise<Result<{ sessionsRevoked: number }>> {
  const sessionsRevoked = await revokeAllAccountSessions(ctx.db, {
    userId,
    keepDevice: presentedDeviceHash(ctx, userId, client.deviceToken),
    event: event("SIGNED_OUT_EVERYWHERE", storedClient(client), ctx.clock()),
  });
  ctx.logger.info({ userId, sessionsRevoked }, "signed out everywhere");
  return ok({ sessionsRevoked });
}
