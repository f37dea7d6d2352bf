import { sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows, toDate } from "../db/rows.js";

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  isVerified: boolean;
  expiresAt: Date;
}

/** The account behind a live session token hash, in one indexed lookup; null if none or expired. */
export async function findSessionUser(
  executor: Executor,
  p: { tokenHash: string; now: Date },
): Promise<SessionUser | null> {
  const rows = await queryRows<{
    session_id: string;
    user_id: string;
    email: string;
    is_verified: boolean;
    expires_at: Date | string;
  }>(
    executor,
    sql`SELECT s.id AS session_id, u.id AS user_id, u.email, u.is_verified, s.expires_at
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ${p.tokenHash} AND s.expires_at > ${isoTimestamp(p.now)}::timestamptz`,
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    sessionId: row.session_id,
    userId: row.user_id,
    email: row.email,
    isVerified: row.is_verified,
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
