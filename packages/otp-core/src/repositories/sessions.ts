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
  }>(
    executor,
    sql`WITH live AS (
          SELECT s.id AS session_id, u.id AS user_id, u.email, u.is_verified, u.locale, s.expires_at,
            s.last_seen_at
          FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = ${p.tokenHash} AND s.expires_at > ${now}::timestamptz
        ),
        touched AS (
          UPDATE sessions SET last_seen_at = ${now}::timestamptz
          WHERE id = (SELECT session_id FROM live)
            AND last_seen_at < ${isoTimestamp(p.touchBefore)}::timestamptz
          RETURNING id
        )
        SELECT session_id, user_id, email, is_verified, locale, expires_at FROM live`,
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
  };
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
