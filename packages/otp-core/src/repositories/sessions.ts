import { sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows, toDate } from "../db/rows.js";

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  isVerified: boolean;
  /** The account's language (`users.locale`). */
  locale: string;
  expiresAt: Date;
  /** When the person at this session last proved who they are: the sign-in, or a re-authentication. */
  authenticatedAt: Date;
}

/**
 * The account behind a live session token hash, in one indexed lookup; null
 * if none or expired. The same statement moves the session's last-seen time
 * to `now` only when it is older than `touchBefore`: most requests write
 * nothing, one every few minutes writes one row.
 */
export async function findSessionUser(
  executor: Executor,
  p: { tokenHash: string; now: Date; touchBefore: Date },
): Promise<SessionUser | null> {
  const now = isoTimestamp(p.now);
  const rows = await queryRows<{
    session_id: string;
    user_id: string;
    email: string;
    is_verified: boolean;
    locale: string;
    expires_at: Date | string;
    authenticated_at: Date | string;
  }>(
    executor,
    sql`WITH live AS (
          SELECT s.id AS session_id, u.id AS user_id, u.email, u.is_verified, u.locale, s.expires_at,
            s.last_seen_at, COALESCE(s.authenticated_at, s.created_at) AS authenticated_at
          FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = ${p.tokenHash} AND s.expires_at > ${now}::timestamptz
        ),
        touched AS (
          UPDATE sessions SET last_seen_at = ${now}::timestamptz
          WHERE id = (SELECT session_id FROM live)
            AND last_seen_at < ${isoTimestamp(p.touchBefore)}::timestamptz
          RETURNING id
        )
        SELECT session_id, user_id, email, is_verified, locale, expires_at, authenticated_at FROM live`,
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    sessionId: row.session_id,
    userId: row.user_id,
    email: row.email,
    isVerified: row.is_verified,
    locale: row.locale,
    expiresAt: toDate(row.expires_at),
    authenticatedAt: toDate(row.authenticated_at),
  };
}

/**
 * A right password at a signed-in session (ADR 20), in one statement: the
 * session's `authenticated_at` moves to now, and the budget key's password
 * unit goes back and its count of consecutive failures is cleared, as a
 * sign-in does. Returns whether the session (of that account) was live.
 */
export async function confirmSessionAuthenticated(
  executor: Executor,
  p: { sessionId: string; userId: string; recipientKey: string; now: Date },
): Promise<boolean> {
  const rows = await queryRows<{ confirmed: number }>(
    executor,
    sql`WITH confirmed AS (
      UPDATE sessions SET authenticated_at = ${isoTimestamp(p.now)}::timestamptz
      WHERE id = ${p.sessionId}::uuid AND user_id = ${p.userId}::uuid
        AND expires_at > ${isoTimestamp(p.now)}::timestamptz
      RETURNING 1
    ),
    counters AS (
      UPDATE account_failures SET consecutive_failures = 0,
        password_failures = GREATEST(password_failures - 1, 0)
      WHERE recipient_key = ${p.recipientKey} AND EXISTS (SELECT 1 FROM confirmed)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM confirmed)::int AS confirmed`,
  );
  return (rows[0]?.confirmed ?? 0) > 0;
}

/** Revokes one session; returns whether it existed. */
export async function deleteSession(executor: Executor, tokenHash: string): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`DELETE FROM sessions WHERE token_hash = ${tokenHash} RETURNING id`,
  );
  return rows.length > 0;
}

/** Revokes every session of an account; returns how many. */
export async function deleteUserSessions(executor: Executor, userId: string): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`DELETE FROM sessions WHERE user_id = ${userId}::uuid RETURNING id`,
  );
  return rows.length;
}
