import { sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import { attemptWindowCutoff } from "../rules/attempt-budget.js";
import type { PasscodePolicy } from "../rules/policy.js";
import { sendCooldownCutoff, sendWindowCutoff } from "../rules/send-limit.js";

export interface CleanupParams {
  /** Delete used codes. */
  used: boolean;
  /** Delete unused codes past their expiry. */
  expired: boolean;
  /** Only codes created before this instant (both kinds). */
  olderThan: Date | null;
  now: Date;
  policy: PasscodePolicy;
}

export interface CleanupCounts {
  usedDeleted: number;
  expiredDeleted: number;
  attemptWindowsDeleted: number;
  sendWindowsDeleted: number;
  sessionsDeleted: number;
}

/**
 * One statement: the seed's cleanup (used codes, expired codes) and the limit
 * counters whose windows are over (they no longer limit anything).
 */
export async function deleteStalePasscodes(tx: Executor, p: CleanupParams): Promise<CleanupCounts> {
  const now = isoTimestamp(p.now);
  const olderThan = p.olderThan === null ? null : isoTimestamp(p.olderThan);
  const rows = await queryRows<CleanupCounts>(
    tx,
    sql`WITH used AS (
      DELETE FROM passcodes
      WHERE ${p.used}::boolean AND is_used = true
        AND (${olderThan}::timestamptz IS NULL OR created_at < ${olderThan}::timestamptz)
      RETURNING 1
    ),
    expired AS (
      DELETE FROM passcodes
      WHERE ${p.expired}::boolean AND is_used = false AND expires_at <= ${now}::timestamptz
        AND (${olderThan}::timestamptz IS NULL OR created_at < ${olderThan}::timestamptz)
      RETURNING 1
    ),
    attempt_windows AS (
      DELETE FROM otp_attempts
      WHERE window_started_at <= ${isoTimestamp(attemptWindowCutoff(p.now, p.policy))}::timestamptz
      RETURNING 1
    ),
    send_windows AS (
      DELETE FROM send_limits
      WHERE window_started_at <= ${isoTimestamp(sendWindowCutoff(p.now, p.policy))}::timestamptz
        AND last_sent_at <= ${isoTimestamp(sendCooldownCutoff(p.now, p.policy))}::timestamptz
      RETURNING 1
    ),
    sessions_expired AS (
      DELETE FROM sessions WHERE expires_at <= ${now}::timestamptz
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM used)::int AS "usedDeleted",
      (SELECT count(*) FROM expired)::int AS "expiredDeleted",
      (SELECT count(*) FROM attempt_windows)::int AS "attemptWindowsDeleted",
      (SELECT count(*) FROM send_windows)::int AS "sendWindowsDeleted",
      (SELECT count(*) FROM sessions_expired)::int AS "sessionsDeleted"`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("cleanup statement returned no row");
  return row;
}
