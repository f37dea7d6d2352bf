/**
 * The account's own view of its sessions: the list ("Where you're signed
 * in"), ending one, ending all. Each ending records its security event in
 * the same statement.
 */
import { sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows, toDate } from "../db/rows.js";
import type { StoredClient } from "../rules/client-context.js";
import { forgetDevicesCte, newDeviceExtra, rememberDeviceCtes } from "./known-devices.js";
import type { QueuedNotice } from "./passcode-effects.js";
import {
  type SecurityEventToRecord,
  securityEventCte,
  withdrawnEventCte,
} from "./security-events.js";

export interface AccountSessionRow {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** The account's live sessions, newest first (sessions_user_idx). */
export async function listAccountSessions(
  executor: Executor,
  p: { userId: string; now: Date },
): Promise<AccountSessionRow[]> {
  const rows = await queryRows<{
    id: string;
    created_at: Date | string;
    last_seen_at: Date | string;
    ip: string | null;
    user_agent: string | null;
  }>(
    executor,
    sql`SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions
        WHERE user_id = ${p.userId}::uuid AND expires_at > ${isoTimestamp(p.now)}::timestamptz
        ORDER BY created_at DESC, id DESC`,
  );
  return rows.map((row) => ({
    id: row.id,
    createdAt: toDate(row.created_at),
    lastSeenAt: toDate(row.last_seen_at),
    ip: row.ip,
    userAgent: row.user_agent,
  }));
}

/**
 * Ends one session of this account and records SESSION_REVOKED, in one
 * statement. A session of another account (or none) matches no row: nothing
 * is deleted and nothing recorded. Returns whether it ended one.
 */
export async function revokeAccountSession(
  executor: Executor,
  p: { userId: string; sessionId: string; event: SecurityEventToRecord },
): Promise<boolean> {
  const rows = await queryRows<{ ended: number }>(
    executor,
    sql`WITH ended AS (
      DELETE FROM sessions WHERE id = ${p.sessionId}::uuid AND user_id = ${p.userId}::uuid
      RETURNING user_id
    ),
    ${securityEventCte("recorded", sql`SELECT user_id FROM ended`, p.event)}
    SELECT (SELECT count(*) FROM ended)::int AS ended`,
  );
  return (rows[0]?.ended ?? 0) > 0;
}

/**
 * Ends every session of the account, revokes its devices but `keepDevice`
 * (the one asking, if it presented a signed cookie), and records
 * SIGNED_OUT_EVERYWHERE (with how many sessions ended), in one statement;
 * returns how many.
 */
export async function revokeAllAccountSessions(
  executor: Executor,
  p: { userId: string; keepDevice: string | null; event: Omit<SecurityEventToRecord, "detail"> },
): Promise<number> {
  const rows = await queryRows<{ ended: number }>(
    executor,
    sql`WITH ended AS (
      DELETE FROM sessions WHERE user_id = ${p.userId}::uuid RETURNING user_id
    ),
    ${forgetDevicesCte("forgotten", sql`SELECT ${p.userId}::uuid`, p.keepDevice)},
    counted AS (SELECT user_id, count(*)::int AS n FROM ended GROUP BY user_id),
    recorded AS (
      INSERT INTO security_events (user_id, type, detail, created_at, ip, user_agent)
      SELECT user_id, ${p.event.type}::text, jsonb_build_object('sessionsRevoked', n),
        ${isoTimestamp(p.event.now)}::timestamptz, ${p.event.client.ip}::text,
        ${p.event.client.userAgent}::text
      FROM counted
      RETURNING id
    )
    SELECT (SELECT count(*) FROM ended)::int AS ended`,
  );
  return rows[0]?.ended ?? 0;
}

/** The session columns a sign-in fills in: who, the token's hash, until when, from where. */
export interface SessionWithContext {
  sessionId: string;
  tokenHash: string;
  expiresAt: Date;
  client: StoredClient;
}

/**
 * A password sign-in in one statement: the session (with its client's
 * context), the SIGNED_IN event, and the device (queuing the "new sign-in"
 * notice only if this account had not seen it). Returns whether the device
 * was new.
 */
export async function openSignedInSession(
  executor: Executor,
  p: {
    userId: string;
    /**
     * The address's HMAC: the right password gives back the password-budget
     * unit it spent and clears the count of consecutive failures
     * (account-failures.ts), in the same statement.
     */
    recipientKey: string;
    session: SessionWithContext;
    now: Date;
    event: SecurityEventToRecord;
    device: { deviceHash: string; notice: QueuedNotice };
    /** The presumed failure's event the reservation recorded (security-events.ts), withdrawn. */
    withdrawnEventId?: string;
  },
): Promise<{ newDevice: boolean }> {
  const at = isoTimestamp(p.now);
  const rows = await queryRows<{ newDevices: number }>(
    executor,
    sql`WITH session AS (
      INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, ip, user_agent)
      VALUES (${p.session.sessionId}::uuid, ${p.userId}::uuid, ${p.session.tokenHash},
        ${at}::timestamptz, ${isoTimestamp(p.session.expiresAt)}::timestamptz, ${at}::timestamptz,
        ${p.session.client.ip}::text, ${p.session.client.userAgent}::text)
      RETURNING user_id
    ),
    ${securityEventCte("signed_in", sql`SELECT user_id FROM session`, p.event)},
    ${rememberDeviceCtes({ source: sql`SELECT user_id FROM session`, now: p.now, ...p.device })},
    counters AS (
      UPDATE account_failures SET consecutive_failures = 0,
        password_failures = GREATEST(password_failures - 1, 0)
      WHERE recipient_key = ${p.recipientKey}
      RETURNING 1
    )${
      p.withdrawnEventId === undefined
        ? sql``
        : sql`,
    ${withdrawnEventCte("withdrawn", p.withdrawnEventId, p.userId)}`
    }
    SELECT ${newDeviceExtra}`,
  );
  return { newDevice: (rows[0]?.newDevices ?? 0) > 0 };
}
