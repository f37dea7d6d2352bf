/**
 * The account's security events ("Recent activity"). Each is written by the
 * statement that makes the change it records (a CTE beside the change, or the
 * statement's own insert), so an event exists exactly when its change does.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows, toDate } from "../db/rows.js";
import type { StoredClient } from "../rules/client-context.js";

export const SECURITY_EVENT_TYPES = [
  "EMAIL_VERIFIED",
  "SIGNED_IN",
  "SIGN_IN_BLOCKED",
  "PASSWORD_CHANGED",
  "EMAIL_CHANGED",
  "SESSION_REVOKED",
  "SIGNED_OUT_EVERYWHERE",
  // The consecutive-failure lock and its unlock: recorded with `securityEventCte` by the
  // statements that issue and spend the unlock link (repositories/account-failures.ts).
  "ACCOUNT_LOCKED",
  "ACCOUNT_UNLOCKED",
  // The owner used the link mailed to the old address: the address restored, every session ended (ADR 20).
  "EMAIL_CHANGE_UNDONE",
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** The few facts a type adds (never a code, a password, a token or an address). */
export interface SecurityEventDetail {
  /** SIGNED_IN: how. */
  method?: "password" | "code";
  /** SIGN_IN_BLOCKED: why (a wrong password, an unverified address). */
  reason?: "WRONG_PASSWORD" | "EMAIL_NOT_VERIFIED";
  /** SIGNED_OUT_EVERYWHERE: how many sessions ended. */
  sessionsRevoked?: number;
}

export interface SecurityEventToRecord {
  type: SecurityEventType;
  detail?: SecurityEventDetail;
  client: StoredClient;
  now: Date;
}

function eventValues(event: SecurityEventToRecord): {
  type: SQL;
  detail: SQL;
  at: SQL;
  ip: SQL;
  userAgent: SQL;
} {
  return {
    type: sql`${event.type}::text`,
    detail: sql`${event.detail === undefined ? null : JSON.stringify(event.detail)}::jsonb`,
    at: sql`${isoTimestamp(event.now)}::timestamptz`,
    ip: sql`${event.client.ip}::text`,
    userAgent: sql`${event.client.userAgent}::text`,
  };
}

/**
 * A CTE that records one event per row of `source` (a query with a `user_id`
 * column): nothing when the change it goes with changed nothing.
 */
export function securityEventCte(name: string, source: SQL, event: SecurityEventToRecord): SQL {
  const v = eventValues(event);
  return sql`${sql.raw(name)} AS (
    INSERT INTO security_events (user_id, type, detail, created_at, ip, user_agent)
    SELECT source.user_id, ${v.type}, ${v.detail}, ${v.at}, ${v.ip}, ${v.userAgent}
    FROM (${source}) AS source
    RETURNING id
  )`;
}

/**
 * Records an event for the account of this address, if there is one: the
 * same statement runs for every address, so an address without an account
 * costs the same round trip.
 */
export async function recordSecurityEventForAddress(
  executor: Executor,
  email: string,
  event: SecurityEventToRecord,
): Promise<void> {
  const v = eventValues(event);
  await executor.execute(
    sql`INSERT INTO security_events (user_id, type, detail, created_at, ip, user_agent)
        SELECT id, ${v.type}, ${v.detail}, ${v.at}, ${v.ip}, ${v.userAgent}
        FROM users WHERE lower(email) = ${email}`,
  );
}

export interface SecurityEventRow {
  id: string;
  type: SecurityEventType;
  detail: SecurityEventDetail;
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

/** Where a page of events starts: after this event, in newest-first order. */
export interface SecurityEventCursor {
  at: Date;
  id: string;
}

/**
 * One page of the account's events, newest first (ties broken by id), read
 * from the (user_id, created_at DESC, id DESC) index; `limit + 1` rows are
 * read so the caller knows whether another page follows.
 */
export async function listSecurityEvents(
  executor: Executor,
  p: { userId: string; before: SecurityEventCursor | null; limit: number },
): Promise<SecurityEventRow[]> {
  const after =
    p.before === null
      ? sql``
      : sql`AND (created_at, id) < (${isoTimestamp(p.before.at)}::timestamptz, ${p.before.id}::uuid)`;
  const rows = await queryRows<{
    id: string;
    type: SecurityEventType;
    detail: string | null;
    created_at: Date | string;
    ip: string | null;
    user_agent: string | null;
  }>(
    executor,
    sql`SELECT id, type, detail::text AS detail, created_at, ip, user_agent
        FROM security_events
        WHERE user_id = ${p.userId}::uuid ${after}
        ORDER BY created_at DESC, id DESC
        LIMIT ${p.limit + 1}::int`,
  );
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    detail: row.detail === null ? {} : (JSON.parse(row.detail) as SecurityEventDetail),
    at: toDate(row.created_at),
    ip: row.ip,
    userAgent: row.user_agent,
  }));
}
