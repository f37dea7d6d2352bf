import { setTimeout as sleep } from "node:timers/promises";
import { type SQL, sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import { attemptWindowCutoff } from "../rules/attempt-budget.js";
import type { PasscodePolicy } from "../rules/policy.js";
import { sendCooldownCutoff, sendWindowCutoff } from "../rules/send-limit.js";

/**
 * Rows one cleanup statement deletes at most: each is a short transaction with
 * short row locks and a bounded WAL record, whatever the tables hold.
 */
export const CLEANUP_BATCH_SIZE = 5000;
/**
 * After each batch, cleanup waits this many times as long as the batch took
 * before the next (1: busy at most half the time), so on a loaded server it
 * yields to the requests instead of taking a core from them for minutes, as
 * PostgreSQL's autovacuum does with its cost delay. Measured by `pnpm
 * bench:scale` (BENCHMARKS.md): with the walk in physical order and commits
 * that do not wait for the disk, the cleanup of a million codes and 2.5
 * million emails takes about 32 s while verifications run, and their p99 is
 * 1.6x its value without.
 */
export const CLEANUP_PAUSE_RATIO = 1;

/** Days a finished outbox row (SENT, FAILED, EXPIRED, SUPERSEDED) is kept before cleanup deletes it. */
export const DEFAULT_OUTBOX_RETENTION_DAYS = 7;
/** The retentions cleanup accepts, in days (OUTBOX_RETENTION_DAYS is checked against these). */
export const OUTBOX_RETENTION_DAYS_RANGE = { min: 1, max: 3650 } as const;

/** Days a security event is kept before cleanup deletes it (SECURITY_EVENT_RETENTION_DAYS). */
export const DEFAULT_SECURITY_EVENT_RETENTION_DAYS = 90;
/** The security-event retentions cleanup accepts, in days. */
export const SECURITY_EVENT_RETENTION_DAYS_RANGE = { min: 1, max: 3650 } as const;

export interface CleanupParams {
  /** Delete used codes. */
  used: boolean;
  /** Delete unused codes past their expiry. */
  expired: boolean;
  /** Only codes created before this instant (both kinds). */
  olderThan: Date | null;
  /** Finished outbox rows created more than this many days before `now` are deleted. */
  outboxRetentionDays: number;
  /** Security events created more than this many days before `now` are deleted; default 90. */
  securityEventRetentionDays?: number;
  now: Date;
  policy: PasscodePolicy;
  /** Rows per statement; default CLEANUP_BATCH_SIZE. */
  batchSize?: number;
  /** Pause after each batch, as a multiple of the batch's own time; default CLEANUP_PAUSE_RATIO. */
  pauseRatio?: number;
}

export interface CleanupCounts {
  usedDeleted: number;
  expiredDeleted: number;
  /** Attempt windows past their length: accounts' (otp_attempts), unknown addresses' (address_attempts) and known devices' (device_attempts). */
  attemptWindowsDeleted: number;
  sendWindowsDeleted: number;
  sessionsDeleted: number;
  /** Finished emails (SENT, FAILED, EXPIRED, SUPERSEDED) past the retention. */
  outboxDeleted: number;
  /** Security events past SECURITY_EVENT_RETENTION_DAYS. */
  securityEventsDeleted: number;
}

/** A table cleanup walks in batches, in the order its rows lie on disk. */
interface BatchTarget {
  table: string;
  /** Which rows go; tested again on each row as it is deleted, so a row changed meanwhile stays. */
  condition: SQL;
  /** Counted apart among the deleted rows (used codes among the codes). */
  tally?: SQL;
}

/** The most rows a page holds (MaxHeapTuplesPerPage for PostgreSQL's 8 KiB pages). */
const MAX_ROWS_PER_PAGE = 291;

/**
 * Deletes the target's rows in statements of at most `batchSize` rows each,
 * walking the table in physical order (ctid), a range of pages at a time
 * (a TID range scan), never again the rows the earlier batches kept. In
 * physical order each batch's deletions fall on few pages, each written (and
 * logged in full after a checkpoint) once: walked in key order, random UUIDs
 * spread a batch of 5,000 rows over as many pages, and the write-ahead log
 * that every request's commit waits on grows by 40 MB per batch. Each row is
 * deleted only if it still matches the condition, tested again as it is
 * deleted (a limit window restarted meanwhile stays). Rows added past the
 * table's end while it runs are left to the next cleanup. Returns the rows
 * deleted and how many of them matched `tally`.
 */
async function deleteInBatches(
  executor: Executor,
  target: BatchTarget,
  { batchSize, pauseRatio }: Pacing,
): Promise<{ deleted: number; tallied: number }> {
  const table = sql.raw(target.table);
  // The table's pages now, and its rows per page as last analysed (if it was).
  const [size] = await queryRows<{ pages: number; rows_per_page: number | null }>(
    executor,
    sql`SELECT (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
        CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages END
          ::float8 AS rows_per_page
      FROM pg_class c WHERE c.oid = ${target.table}::regclass`,
  );
  const pages = size?.pages ?? 0;
  const rowsPerPage = Math.min(
    MAX_ROWS_PER_PAGE,
    Math.max(1, size?.rows_per_page ?? MAX_ROWS_PER_PAGE),
  );
  // A range holds about a batch of rows; the LIMIT bounds a denser one.
  const span = Math.max(1, Math.floor(batchSize / rowsPerPage));
  let after = "(0,0)"; // below every row: a page's rows are numbered from 1
  let page = 0;
  let deleted = 0;
  let tallied = 0;
  while (page < pages) {
    const started = performance.now();
    const end = `(${page + span},0)`;
    const rows = await queryRows<{
      selected: number;
      deleted: number;
      tallied: number;
      last_row: string | null;
    }>(
      executor,
      sql`WITH batch AS MATERIALIZED (
          SELECT ctid AS row_id FROM ${table}
          WHERE ctid > ${after}::tid AND ctid < ${end}::tid AND ${target.condition}
          ORDER BY ctid LIMIT ${batchSize}::int
        ),
        deleted AS (
          DELETE FROM ${table}
          WHERE ctid = ANY (ARRAY(SELECT row_id FROM batch)) AND ${target.condition}
          RETURNING ${target.tally ?? sql`false`} AS tallied
        )
        SELECT (SELECT count(*) FROM batch)::int AS selected,
          (SELECT count(*) FROM deleted)::int AS deleted,
          (SELECT count(*) FROM deleted WHERE tallied)::int AS tallied,
          (SELECT row_id FROM batch ORDER BY row_id DESC LIMIT 1)::text AS last_row,
          -- This statement's commit does not wait for its log to reach the disk (the log
          -- writer flushes it within moments): a crash can only bring back rows the next
          -- cleanup deletes again, and requests' commits no longer queue behind a flush per batch.
          set_config('synchronous_commit', 'off', true) AS commit_mode`,
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`cleanup statement on ${target.table} returned no row`);
    deleted += row.deleted;
    tallied += row.tallied;
    if (row.selected === batchSize && row.last_row !== null) {
      after = row.last_row; // the range has more: go on from the last row taken
    } else {
      page += span;
      after = `(${page},0)`;
    }
    if (pauseRatio > 0 && row.selected > 0) {
      await sleep((performance.now() - started) * pauseRatio);
    }
  }
  return { deleted, tallied };
}

/** How each table's batches go: their size, and the pause after each (CLEANUP_PAUSE_RATIO). */
interface Pacing {
  batchSize: number;
  pauseRatio: number;
}

/**
 * The seed's cleanup (used codes, expired codes), the limit counters whose
 * windows are over (they no longer limit anything), expired sessions, and
 * finished outbox rows past their retention. Every statement deletes one
 * bounded batch and commits on its own, so cleanup never holds many locks or
 * writes one huge transaction; a cleanup cut short leaves a consistent
 * database, and the next one carries on.
 */
export async function runCleanup(executor: Executor, p: CleanupParams): Promise<CleanupCounts> {
  const batchSize = p.batchSize ?? CLEANUP_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`cleanup batch size must be a positive whole number, got ${batchSize}`);
  }
  const pauseRatio = p.pauseRatio ?? CLEANUP_PAUSE_RATIO;
  if (!Number.isFinite(pauseRatio) || pauseRatio < 0) {
    throw new RangeError(`cleanup pause ratio must be a number from 0 up, got ${pauseRatio}`);
  }
  const pacing: Pacing = { batchSize, pauseRatio };
  const { min, max } = OUTBOX_RETENTION_DAYS_RANGE;
  if (
    !Number.isSafeInteger(p.outboxRetentionDays) ||
    p.outboxRetentionDays < min ||
    p.outboxRetentionDays > max
  ) {
    throw new RangeError(
      `outbox retention must be a whole number of days from ${min} to ${max}, got ${p.outboxRetentionDays}`,
    );
  }
  const eventRetentionDays = p.securityEventRetentionDays ?? DEFAULT_SECURITY_EVENT_RETENTION_DAYS;
  const eventRange = SECURITY_EVENT_RETENTION_DAYS_RANGE;
  if (
    !Number.isSafeInteger(eventRetentionDays) ||
    eventRetentionDays < eventRange.min ||
    eventRetentionDays > eventRange.max
  ) {
    throw new RangeError(
      `security event retention must be a whole number of days from ${eventRange.min} to ${eventRange.max}, got ${eventRetentionDays}`,
    );
  }
  const now = isoTimestamp(p.now);
  const olderThan = p.olderThan === null ? null : isoTimestamp(p.olderThan);
  const outboxCutoff = isoTimestamp(new Date(p.now.getTime() - p.outboxRetentionDays * 86_400_000));

  const codes =
    p.used || p.expired
      ? await deleteInBatches(
          executor,
          {
            table: "passcodes",
            condition: sql`((${p.used}::boolean AND is_used = true)
              OR (${p.expired}::boolean AND is_used = false AND expires_at <= ${now}::timestamptz))
              AND (${olderThan}::timestamptz IS NULL OR created_at < ${olderThan}::timestamptz)`,
            tally: sql`is_used`,
          },
          pacing,
        )
      : { deleted: 0, tallied: 0 };
  const attemptWindows = await deleteInBatches(
    executor,
    {
      table: "otp_attempts",
      condition: sql`window_started_at <= ${isoTimestamp(attemptWindowCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const addressWindows = await deleteInBatches(
    executor,
    {
      table: "address_attempts",
      condition: sql`window_started_at <= ${isoTimestamp(attemptWindowCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const deviceWindows = await deleteInBatches(
    executor,
    {
      table: "device_attempts",
      condition: sql`window_started_at <= ${isoTimestamp(attemptWindowCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const sendWindows = await deleteInBatches(
    executor,
    {
      table: "send_limits",
      condition: sql`window_started_at <= ${isoTimestamp(sendWindowCutoff(p.now, p.policy))}::timestamptz
        AND last_sent_at <= ${isoTimestamp(sendCooldownCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const sessions = await deleteInBatches(
    executor,
    {
      table: "sessions",
      condition: sql`expires_at <= ${now}::timestamptz`,
    },
    pacing,
  );
  // A finished row never changes again; a PENDING one is never deleted, whatever its age.
  const outbox = await deleteInBatches(
    executor,
    {
      table: "email_outbox",
      condition: sql`status <> 'PENDING' AND created_at < ${outboxCutoff}::timestamptz`,
    },
    pacing,
  );
  const eventCutoff = isoTimestamp(new Date(p.now.getTime() - eventRetentionDays * 86_400_000));
  const securityEvents = await deleteInBatches(
    executor,
    {
      table: "security_events",
      condition: sql`created_at < ${eventCutoff}::timestamptz`,
    },
    pacing,
  );
  return {
    usedDeleted: codes.tallied,
    expiredDeleted: codes.deleted - codes.tallied,
    attemptWindowsDeleted: attemptWindows.deleted + addressWindows.deleted + deviceWindows.deleted,
    sendWindowsDeleted: sendWindows.deleted,
    sessionsDeleted: sessions.deleted,
    outboxDeleted: outbox.deleted,
    securityEventsDeleted: securityEvents.deleted,
  };
}
