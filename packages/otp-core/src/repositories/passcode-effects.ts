/**
 * What each code type does when it is consumed, as CTEs for `consumeCode`.
 * Every CTE reads the user from `consumed`, so it changes nothing unless the
 * code was consumed by the same statement: a code is `is_used = true` only
 * together with its effect, and never without it.
 */
import { type SQL, sql } from "drizzle-orm";
import { isoTimestamp } from "../db/rows.js";
import type { StoredClient } from "../rules/client-context.js";

export interface QueuedNotice {
  id: string;
  kind: string;
  payload: Uint8Array;
}

/** An outbox row inserted once per row of `source` (a CTE name): a notice that goes with the effect. */
function noticeCte(name: string, source: string, notice: QueuedNotice, now: Date): SQL {
  const at = isoTimestamp(now);
  return sql`${sql.raw(name)} AS (
    INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at)
    SELECT ${notice.id}::uuid, ${notice.kind}, ${notice.payload}::bytea, NULL, 'PENDING',
      ${at}::timestamptz, NULL, ${at}::timestamptz
    FROM ${sql.raw(source)}
    RETURNING id
  )`;
}

const markVerified = (now: Date) => sql`verified AS (
    UPDATE users SET is_verified = true,
      verified_at = COALESCE(verified_at, ${isoTimestamp(now)}::timestamptz),
      updated_at = ${isoTimestamp(now)}::timestamptz
    WHERE id IN (SELECT user_id FROM consumed)
    RETURNING id
  )`;

/** VERIFICATION: the account becomes verified. */
export function verifyEmailEffect(now: Date): SQL {
  return markVerified(now);
}

/**
 * PASSWORD_RESET: the new password replaces the old, every session of the
 * account is revoked, and the "password changed" notice is queued. Entering a
 * code sent to the address also proves the address, so it becomes verified.
 */
export function resetPasswordEffect(p: {
  passwordHash: string;
  now: Date;
  notice: QueuedNotice;
}): SQL {
  const at = isoTimestamp(p.now);
  return sql`changed AS (
    UPDATE users SET password_hash = ${p.passwordHash}, is_verified = true,
      verified_at = COALESCE(verified_at, ${at}::timestamptz), updated_at = ${at}::timestamptz
    WHERE id IN (SELECT user_id FROM consumed)
    RETURNING id
  ),
  revoked AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed) RETURNING 1),
  ${noticeCte("notice", "changed", p.notice, p.now)}`;
}

export const resetPasswordExtra = sql`(SELECT count(*) FROM revoked)::int AS "sessionsRevoked"`;

/** SIGN_IN: a session is created; a verified address is implied by the code. */
export function signInEffect(p: {
  sessionId: string;
  tokenHash: string;
  expiresAt: Date;
  now: Date;
  /** The signing-in client's address and User-Agent, kept on the session. */
  client?: StoredClient;
}): SQL {
  const at = isoTimestamp(p.now);
  return sql`${markVerified(p.now)},
  session AS (
    INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, ip, user_agent)
    SELECT ${p.sessionId}::uuid, user_id, ${p.tokenHash}, ${at}::timestamptz,
      ${isoTimestamp(p.expiresAt)}::timestamptz, ${at}::timestamptz,
      ${p.client?.ip ?? null}::text, ${p.client?.userAgent ?? null}::text
    FROM consumed
    RETURNING id
  )`;
}

/**
 * EMAIL_CHANGE: the account's address becomes the one the code was sent to
 * (the unique index on lower(email) refuses it if another account took it
 * meanwhile, and the whole statement rolls back), and the old address is told.
 */
export function changeEmailEffect(p: { now: Date; notice: QueuedNotice }): SQL {
  return sql`switched AS (
    UPDATE users u SET email = c.new_email, is_verified = true,
      verified_at = COALESCE(u.verified_at, ${isoTimestamp(p.now)}::timestamptz),
      updated_at = ${isoTimestamp(p.now)}::timestamptz
    FROM consumed c
    WHERE u.id = c.user_id AND c.new_email IS NOT NULL
    RETURNING u.id
  ),
  ${noticeCte("notice", "switched", p.notice, p.now)}`;
}

export const changeEmailExtra = sql`(SELECT count(*) FROM switched)::int AS switched`;
