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
export function securityEventCte(
  name: string,
  source: SQL,
  event: SecurityEventToRecord,
  /** The event's id, when a later statement must find it (a presumed failure, below). */
  id?: string,
): SQL {
  const v = eventValues(event);
  const idColumn = id === undefined ? sql`` : sql`id, `;
  const idValue = id === undefined ? sql`` : sql`${id}::uuid, `;
  return sql`${sql.raw(name)} AS (
    INSERT INTO security_events (${idColumn}user_id, type, detail, created_at, ip, user_agent)
    SELECT ${idValue}source.user_id, ${v.type}, ${v.detail}, ${v.at}, ${v.ip}, ${v.userAgent}
    FROM (${source}) AS source
    RETURNING id
  )`;
}

/**
 * A password sign-in presumes the password wrong (ADR 25): the statement that spends
 * the attempt's units records SIGN_IN_BLOCKED for the account of the address, if any, and
 * the right password's statement withdraws it (`withdrawnEventCte`) as it gives the units
 * back. So a wrong password costs the same statements and writes whether or not the
 * address has an account: no statement after the comparison tells them apart.
 */
export interface PresumedFailure {
  /** The event's id (`newRowId()`), for the statement that withdraws or corrects it. */
  id: string;
  event: SecurityEventToRecord;
}

/** Withdraws a presumed failure's event (the password was right). */
export function withdrawnEventCte(name: string, eventId: string, userId: string): SQL {
  return sql`${sql.raw(name)} AS (
    DELETE FROM security_events WHERE id = ${eventId}::uuid AND user_id = ${userId}::uuid
    RETURNING 1
  )`;
}

/** Corrects a presumed failure's reason (the right password of an unverified address). */
export async function correctPresumedFailure(
  executor: Executor,
  eventId: string,
  detail: SecurityEventDetail,
): Promise<void> {
  await executor.execute(
    sql`UPDATE security_events SET detail = ${JSON.stringify(detail)}::jsonb WHERE id = ${eventId}::uuid`,
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
