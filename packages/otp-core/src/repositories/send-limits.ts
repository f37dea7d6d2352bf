import { type SQL, sql } from "drizzle-orm";
import { isoTimestamp, toDate } from "../db/rows.js";
import type { CodeType } from "../rules/code-types.js";
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
  /** The code type the send is for: the cooldown counts per type, the cap across all. */
  codeType: CodeType;
  now: Date;
  policy: PasscodePolicy;
}

/**
 * The row that remembers a recipient's last send of one code type, beside the
 * recipient's window row (written only when a cooldown is configured; its
 * `sent_count` stays 0, and the cleanup deletes it as any expired window).
 */
export function typeSendKey(recipientKey: string, codeType: CodeType): string {
  return `${recipientKey}:${codeType}`;
}

/**
 * CTEs to open a statement with: `send_before` (the recipient's window as this
 * statement found it), `send_type_before` (the last send of this code type)
 * and `send_reserved` (one row when a send was granted). The grant is one
 * conditional upsert of the window row, so concurrent requests can never
 * exceed the cap; it mirrors `decideSend` in rules/send-limit.ts. With a
 * cooldown, the code type's row is read `FOR UPDATE` (a concurrent send of
 * the same type is waited for and seen) and stamped with the grant; with none
 * (the default) the type's row is neither read nor written.
 */
export function sendReservationCtes({
  recipientKey,
  codeType,
  now,
  policy,
}: SendReservationParams): SQL {
  const at = isoTimestamp(now);
  const windowCutoff = isoTimestamp(sendWindowCutoff(now, policy));
  const cooldownCutoff = isoTimestamp(sendCooldownCutoff(now, policy));
  const typeKey = typeSendKey(recipientKey, codeType);
  const cooldown = policy.sendCooldownSeconds > 0;
  const typeBefore = cooldown
    ? sql`SELECT last_sent_at FROM send_limits WHERE recipient_key = ${typeKey} FOR UPDATE`
    : sql`SELECT NULL::timestamptz AS last_sent_at WHERE false`;
  const typeStamped = cooldown
    ? sql`,
    send_type_stamped AS (
      INSERT INTO send_limits AS l (recipient_key, window_started_at, sent_count, last_sent_at)
      SELECT ${typeKey}, ${at}::timestamptz, 0, ${at}::timestamptz FROM send_reserved
      ON CONFLICT (recipient_key) DO UPDATE SET
        window_started_at = EXCLUDED.window_started_at, last_sent_at = EXCLUDED.last_sent_at
      RETURNING 1
    )`
    : sql``;
  return sql`
    send_before AS (
      SELECT window_started_at, sent_count, last_sent_at
      FROM send_limits WHERE recipient_key = ${recipientKey}
    ),
    send_type_before AS (${typeBefore}),
    send_reserved AS (
      INSERT INTO send_limits AS l (recipient_key, window_started_at, sent_count, last_sent_at)
      SELECT ${recipientKey}, ${at}::timestamptz, 1, ${at}::timestamptz
      WHERE NOT EXISTS (
        SELECT 1 FROM send_type_before WHERE last_sent_at > ${cooldownCutoff}::timestamptz
      )
      ON CONFLICT (recipient_key) DO UPDATE SET
        window_started_at = CASE WHEN l.window_started_at <= ${windowCutoff}::timestamptz
          THEN EXCLUDED.window_started_at ELSE l.window_started_at END,
        sent_count = CASE WHEN l.window_started_at <= ${windowCutoff}::timestamptz
          THEN 1 ELSE l.sent_count + 1 END,
        last_sent_at = EXCLUDED.last_sent_at
      WHERE l.window_started_at <= ${windowCutoff}::timestamptz
        OR l.sent_count < ${policy.maxSendsPerWindow}::int
      RETURNING l.sent_count
    )${typeStamped}`;
}

/** Columns to select from the CTEs above, read back by `readSendReservation`. */
export const sendReservationColumns = sql`
  (SELECT count(*) FROM send_reserved)::int AS send_granted,
  (SELECT window_started_at FROM send_before) AS send_window_started_at,
  (SELECT sent_count FROM send_before) AS send_count_before,
  (SELECT last_sent_at FROM send_before) AS send_last_sent_at,
  (SELECT last_sent_at FROM send_type_before) AS send_type_last_sent_at`;

export interface SendReservationRow {
  send_granted: number;
  send_window_started_at: Date | string | null;
  send_count_before: number | null;
  send_last_sent_at: Date | string | null;
  send_type_last_sent_at: Date | string | null;
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
  const lastOfType =
    row.send_type_last_sent_at === null ? null : toDate(row.send_type_last_sent_at);
  const decision = decideSend(before, lastOfType, now, policy);
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
