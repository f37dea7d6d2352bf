import { type SQL, sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows, toDate, toDateOrNull } from "../db/rows.js";
import type { OutboxStatus } from "../db/schema.js";
import type { QueuedNotice } from "./passcode-effects.js";

/** The channel a statement notifies when it queues an email, so delivery wakes at once. */
export const OUTBOX_CHANNEL = "email_outbox";

export interface OutboxRow {
  id: string;
  kind: string;
  payload: Uint8Array | null;
  passcodeId: string | null;
  status: OutboxStatus;
  attempts: number;
  availableAt: Date;
  expiresAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  /** The W3C traceparent of the request that queued it; null when tracing was off. */
  traceContext: string | null;
}

/** What a delivery attempt's observers are told of its email (metrics, a tracing span and its link). */
export type AttemptedEmail = Pick<OutboxRow, "id" | "kind" | "attempts" | "traceContext">;

interface RawOutboxRow {
  id: string;
  kind: string;
  payload: Uint8Array | null;
  passcode_id: string | null;
  status: OutboxStatus;
  attempts: number;
  available_at: Date | string;
  expires_at: Date | string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
  last_error: string | null;
  trace_context: string | null;
}

export function toOutboxRow(raw: RawOutboxRow): OutboxRow {
  return {
    id: raw.id,
    kind: raw.kind,
    payload: raw.payload === null ? null : new Uint8Array(raw.payload),
    passcodeId: raw.passcode_id,
    status: raw.status,
    attempts: raw.attempts,
    availableAt: toDate(raw.available_at),
    expiresAt: toDateOrNull(raw.expires_at),
    createdAt: toDate(raw.created_at),
    sentAt: toDateOrNull(raw.sent_at),
    lastError: raw.last_error,
    traceContext: raw.trace_context,
  };
}

/** Every outbox row, oldest first (operations and tests; delivery claims rows itself). */
export async function listOutbox(executor: Executor): Promise<OutboxRow[]> {
  const rows = await queryRows<RawOutboxRow>(
    executor,
    sql`SELECT id, kind, payload, passcode_id, status, attempts, available_at, expires_at,
          created_at, sent_at, last_error, trace_context
        FROM email_outbox ORDER BY created_at, id`,
  );
  return rows.map(toOutboxRow);
}

export interface ClaimedEmail extends OutboxRow {
  /**
   * False when the email's code was replaced or used since it was queued. Such
   * a row, and one whose code has expired, comes back already settled by the
   * claim (status SUPERSEDED or EXPIRED, payload scrubbed): nothing to send.
   */
  codeLive: boolean;
}

export interface ClaimParams {
  now: Date;
  limit: number;
  /** How long a claim holds the row; past it, another dispatcher may take it again. */
  leaseSeconds: number;
}

/**
 * "Still pending", for a row found by its primary key. It compares the status
 * as text on purpose: `status = 'PENDING'` is the predicate of the partial
 * index `email_outbox_pending_idx`, so it lets the planner read that whole
 * index (every pending email) filtered by id instead of one primary-key
 * lookup, and a generic plan does exactly that when the statistics say few
 * rows are pending (after a burst on a database of delivered history). No
 * partial index's predicate follows from a comparison of the text.
 * `generic-plans.postgres.test.ts` checks the plan of every statement
 * (BENCHMARKS.md, "Generic plans on a big database").
 */
function stillPending(alias: "o" | "email_outbox"): SQL {
  return sql.raw(`${alias}.status::text = 'PENDING'`);
}

/** Why a claim settled a row without sending it (its `last_error`). */
export const UNSENT_REASONS = {
  EXPIRED: "the code expired before it could be sent",
  SUPERSEDED: "the code was replaced or used before delivery",
} as const;

/**
 * One statement: take up to `limit` due rows that no other dispatcher holds
 * (`FOR UPDATE SKIP LOCKED`), count the attempt and push `available_at` past
 * the lease, so a dispatcher that dies mid-send only delays the row. A row
 * whose code has expired, or was replaced or used, is settled right here
 * (EXPIRED or SUPERSEDED, payload scrubbed) instead of costing a statement of
 * its own: under a burst of resends most queued emails end this way.
 * Returns the claimed rows with whether their code is still live.
 *
 * The code is joined by its id alone and `is_used` read from the joined row,
 * not tested in the join condition: `c.id = ? AND c.is_used = false` also
 * matches the partial index `passcodes_one_unused_per_user_and_type`, and on a
 * big database whose statistics say few codes are unused, the generic plan
 * read that whole index (every unused code) for each email instead of one
 * primary-key lookup: 1.5 s per claim of 64 (BENCHMARKS.md, "Generic plans
 * on a big database").
 */
export async function claimDueEmails(executor: Executor, p: ClaimParams): Promise<ClaimedEmail[]> {
  const now = isoTimestamp(p.now);
  const leaseEnds = isoTimestamp(new Date(p.now.getTime() + p.leaseSeconds * 1000));
  const rows = await queryRows<RawOutboxRow & { code_live: boolean }>(
    executor,
    sql`WITH due AS (
      SELECT id FROM email_outbox
      WHERE status = 'PENDING' AND available_at <= ${now}::timestamptz
      ORDER BY available_at
      LIMIT ${p.limit}::int
      FOR UPDATE SKIP LOCKED
    ),
    looked_up AS (
      SELECT o.id, o.expires_at,
        o.passcode_id IS NULL OR COALESCE(NOT c.is_used, false) AS code_live
      FROM email_outbox o JOIN due ON due.id = o.id
        LEFT JOIN passcodes c ON c.id = o.passcode_id
    ),
    checked AS (
      SELECT id, code_live,
        CASE WHEN expires_at <= ${now}::timestamptz THEN 'EXPIRED'::outbox_status
          WHEN NOT code_live THEN 'SUPERSEDED'::outbox_status END AS unsent
      FROM looked_up
    )
    UPDATE email_outbox o
    SET attempts = o.attempts + 1,
      available_at = CASE WHEN checked.unsent IS NULL THEN ${leaseEnds}::timestamptz ELSE o.available_at END,
      status = COALESCE(checked.unsent, o.status),
      payload = CASE WHEN checked.unsent IS NULL THEN o.payload END,
      last_error = CASE checked.unsent WHEN 'EXPIRED' THEN ${UNSENT_REASONS.EXPIRED}
        WHEN 'SUPERSEDED' THEN ${UNSENT_REASONS.SUPERSEDED} ELSE o.last_error END
    FROM checked
    WHERE o.id = checked.id
    RETURNING o.id, o.kind, o.payload, o.passcode_id, o.status, o.attempts, o.available_at,
      o.expires_at, o.created_at, o.sent_at, o.last_error, o.trace_context, checked.code_live`,
  );
  return rows.map((raw) => ({ ...toOutboxRow(raw), codeLive: raw.code_live }));
}

/** Delivered: scrub the payload. False if the row was no longer this claim's to settle. */
export async function markEmailSent(
  executor: Executor,
  p: { id: string; attempts: number; now: Date },
): Promise<boolean> {
  const settled = await markEmailsSent(executor, {
    rows: [{ id: p.id, attempts: p.attempts }],
    now: p.now,
  });
  return settled.has(p.id);
}

/**
 * `markEmailSent` for many rows in one statement, with the same condition per
 * row (still PENDING and still at that row's attempt count). Returns the ids it
 * settled; a row missing from the set was no longer its claim's to settle.
 * The ids and attempts travel as two array parameters (PostgreSQL array
 * literals, which postgres.js and PGlite bind alike), so the statement text is
 * the same for every batch size. An empty list runs no statement.
 */
export async function markEmailsSent(
  executor: Executor,
  p: { rows: ReadonlyArray<{ id: string; attempts: number }>; now: Date },
): Promise<Set<string>> {
  if (p.rows.length === 0) return new Set();
  for (const row of p.rows) {
    if (!Number.isSafeInteger(row.attempts)) {
      throw new RangeError(`attempts must be a whole number, got ${row.attempts}`);
    }
  }
  // Element quoting as array_in expects it; a malformed id still fails the ::uuid[] cast.
  const ids = `{${p.rows.map((row) => `"${row.id.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
  const attempts = `{${p.rows.map((row) => row.attempts).join(",")}}`;
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`UPDATE email_outbox o
        SET status = 'SENT', sent_at = ${isoTimestamp(p.now)}::timestamptz, payload = NULL, last_error = NULL
        FROM unnest(${ids}::uuid[], ${attempts}::int[]) AS settled(id, attempts)
        WHERE o.id = settled.id AND ${stillPending("o")} AND o.attempts = settled.attempts
        RETURNING o.id`,
  );
  return new Set(rows.map((row) => row.id));
}

/** A failed attempt that will be tried again at `retryAt`. */
export async function scheduleEmailRetry(
  executor: Executor,
  p: { id: string; attempts: number; retryAt: Date; error: string },
): Promise<void> {
  await executor.execute(
    sql`UPDATE email_outbox
        SET available_at = ${isoTimestamp(p.retryAt)}::timestamptz, last_error = ${p.error}
        WHERE id = ${p.id}::uuid AND ${stillPending("email_outbox")} AND attempts = ${p.attempts}::int`,
  );
}

/** Gives a row up for good (FAILED, EXPIRED or SUPERSEDED) and scrubs its payload. */
export async function settleEmailUnsent(
  executor: Executor,
  p: {
    id: string;
    attempts: number;
    status: Exclude<OutboxStatus, "PENDING" | "SENT">;
    error: string | null;
  },
): Promise<void> {
  await executor.execute(
    sql`UPDATE email_outbox
        SET status = ${p.status}::outbox_status, payload = NULL, last_error = ${p.error}
        WHERE id = ${p.id}::uuid AND ${stillPending("email_outbox")} AND attempts = ${p.attempts}::int`,
  );
}

/**
 * The kind of a decoy: the email queued when nobody gets the code (an address without an
 * account, or an account the code type is not for), so that such a request queues as much
 * as one that issues a code (ADR 25). Its payload is sealed with a key no one holds
 * (`ServiceContext.decoyKey`), its passcode id names no code, so delivery's claim settles
 * it as SUPERSEDED before anything reads it: it is never opened and never sent.
 */
export const NO_RECIPIENT_KIND = "NO_RECIPIENT";

/** Emails by status (operations): decoys are no email and are not counted. */
export async function countOutboxByStatus(
  executor: Executor,
): Promise<Record<OutboxStatus, number>> {
  const rows = await queryRows<{ status: OutboxStatus; n: number }>(
    executor,
    sql`SELECT status::text AS status, count(*)::int AS n FROM email_outbox
        WHERE kind <> ${NO_RECIPIENT_KIND} GROUP BY status`,
  );
  const counts: Record<OutboxStatus, number> = {
    PENDING: 0,
    SENT: 0,
    FAILED: 0,
    EXPIRED: 0,
    SUPERSEDED: 0,
  };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/**
 * The earliest instant a pending row becomes due, or null when none is pending.
 * ORDER BY ... LIMIT 1 rather than min(): with statistics that say few rows are
 * pending, the generic plan of min() aggregated the whole pending index instead
 * of reading its first entry.
 */
export async function nextEmailDueAt(executor: Executor): Promise<Date | null> {
  const rows = await queryRows<{ next: Date | string | null }>(
    executor,
    sql`SELECT available_at AS next FROM email_outbox WHERE status = 'PENDING'
        ORDER BY available_at LIMIT 1`,
  );
  return toDateOrNull(rows[0]?.next ?? null);
}

/**
 * How many emails wait, and how long the oldest of them has waited (seconds
 * since it was queued; 0 when none wait): the "mail is stuck" signal. Reads the
 * pending rows through their partial index, so it costs what the backlog is.
 */
export async function pendingOutboxSummary(
  executor: Executor,
  now: Date,
): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const rows = await queryRows<{ pending: number; oldest_age_seconds: number | null }>(
    executor,
    sql`SELECT count(*)::int AS pending,
          extract(epoch FROM (${isoTimestamp(now)}::timestamptz - min(created_at)))::float8 AS oldest_age_seconds
        FROM email_outbox WHERE status = 'PENDING'`,
  );
  const row = rows[0];
  return {
    pending: row?.pending ?? 0,
    oldestAgeSeconds: Math.max(0, row?.oldest_age_seconds ?? 0),
  };
}

/**
 * Queues an email that carries no code (a notice). The caller wakes delivery
 * after its transaction commits (see outbox-notifier.ts): no NOTIFY in here.
 */
export async function queueEmail(
  executor: Executor,
  p: QueuedNotice & { now: Date },
): Promise<void> {
  const at = isoTimestamp(p.now);
  await executor.execute(
    sql`INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at,
        trace_context)
      VALUES (${p.id}::uuid, ${p.kind}, ${p.payload}::bytea, NULL, 'PENDING', ${at}::timestamptz, NULL, ${at}::timestamptz,
        ${p.traceContext}::text)`,
  );
}
