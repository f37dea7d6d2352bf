import { type SQL, sql } from "drizzle-orm";
import { isoTimestamp, toDate } from "../db/rows.js";
import type { PasscodePolicy } from "../rules/policy.js";
import {
  decideSend,
  type SendLimitReason,
  type SendWindow,
  sendCooldownCutoff,
  sendWindowCutoff,
} from "../rules/send-limit.js";

export interface SendReservationParams {
  recipientKey: string;
  now: Date;
  policy: PasscodePolicy;
}

/**
 * Two CTEs to open a statement with: `send_before` (the recipient's window as
 * this statement found it) and `send_reserved` (one row when a send was
 * granted). The grant is one conditional upsert, so concurrent requests can
 * never exceed the cap; it mirrors `decideSend` in rules/send-limit.ts.
 */
export function sendReservationCtes({ recipientKey, now, policy }: SendReservationParams): SQL {
  const at = isoTimestamp(now);
  const windowCutoff = isoTimestamp(sendWindowCutoff(now, policy));
  const cooldownCutoff = isoTimestamp(sendCooldownCutoff(now, policy));
  return sql`
    send_before AS (
      SELECT window_started_at, sent_count, last_sent_at
      FROM send_limits WHERE recipient_key = ${recipientKey}
    ),
    send_reserved AS (
      INSERT INTO send_limits AS l (recipient_key, window_started_at, sent_count, last_sent_at)
      VALUES (${recipientKey}, ${at}::timestamptz, 1, ${at}::timestamptz)
      ON CONFLICT (recipient_key) DO UPDATE SET
        window_started_at = CASE WHEN l.window_started_at <= ${windowCutoff}::timestamptz
          THEN EXCLUDED.window_started_at ELSE l.window_started_at END,
        sent_count = CASE WHEN l.window_started_at <= ${windowCutoff}::timestamptz
          THEN 1 ELSE l.sent_count + 1 END,
        last_sent_at = EXCLUDED.last_sent_at
      WHERE (${policy.sendCooldownSeconds}::int = 0 OR l.last_sent_at <= ${cooldownCutoff}::timestamptz)
        AND (l.window_started_at <= ${windowCutoff}::timestamptz OR l.sent_count < ${policy.maxSendsPerWindow}::int)
      RETURNING l.sent_count
    )`;
}

/** Columns to select from the CTEs above, read back by `readSendReservation`. */
export const sendReservationColumns = sql`
  (SELECT count(*) FROM send_reserved)::int AS send_granted,
  (SELECT window_started_at FROM send_before) AS send_window_started_at,
  (SELECT sent_count FROM send_before) AS send_count_before,
  (SELECT last_sent_at FROM send_before) AS send_last_sent_at`;

export interface SendReservationRow {
  send_granted: number;
  send_window_started_at: Date | string | null;
  send_count_before: number | null;
  send_last_sent_at: Date | string | null;
}

export type SendReservation =
  | { granted: true }
  | { granted: false; retryAt: Date; reason: SendLimitReason };

export function readSendReservation(
  row: SendReservationRow,
  now: Date,
  policy: PasscodePolicy,
): SendReservation {
  if (row.send_granted > 0) return { granted: true };
  const before: SendWindow | null =
    row.send_window_started_at === null || row.send_last_sent_at === null
      ? null
      : {
          windowStartedAt: toDate(row.send_window_started_at),
          sentCount: row.send_count_before ?? 0,
          lastSentAt: toDate(row.send_last_sent_at),
        };
  const decision = decideSend(before, now, policy);
  // A concurrent request changed the window after this statement's snapshot:
  // the model cannot say when, so report the end of a full window.
  if (decision.allowed) {
    return {
      granted: false,
      retryAt: new Date(now.getTime() + policy.sendWindowSeconds * 1000),
      reason: "HOURLY_CAP",
    };
  }
  return { granted: false, retryAt: decision.retryAt, reason: decision.reason };
}
