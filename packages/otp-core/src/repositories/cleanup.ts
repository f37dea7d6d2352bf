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
 * bench:scale`: verify p99 during cleanup of a million codes and 2.5 million
 * emails (BENCHMARKS.md).
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
  /** Attempt windows past their length: accounts' (otp_attempts) and unknown addresses' (address_attempts). */
  attemptWindowsDeleted: number;
  sendWindowsDeleted: number;
  sessionsDeleted: number;
  /** Finished emails (SENT, FAILED, EXPIRED, SUPERSEDED) past the retention. */
  outboxDeleted: number;
  /** Security events past SECURITY_EVENT_RETENTION_DAYS. */
  securityEventsDeleted: number;
}

/** A table cleanup walks in batches, in the order of `key`. */
interface BatchTarget {
  table: string;
  /** The primary key, or its leading column: each batch starts where the last ended. */
  key: string;
  keyType: "uuid" | "text";
  /** A value no key is below, to start the walk from. */
  start: string;
  /** Which rows go; tested again on each row as it is deleted, so a row changed meanwhile stays. */
  condition: SQL;
  /** Counted apart among the deleted rows (used codes among the codes). */
  tally?: SQL;
}

/**
 * Deletes the target's rows in statements of at most `batchSize` rows each,
 * walking the key in order: each batch reads on from the greatest key of the
 * previous one (`>=`, so rows sharing that key, `otp_attempts.user_id`, are
 * not skipped), never again the rows the earlier batches kept. The batch's
 * rows are deleted by their physical address (a TID scan, whatever the
 * statistics say), and only if it still matches the condition, tested again
 * on the row as it is deleted (a limit window restarted meanwhile stays).
 * Returns the rows deleted and how many of them matched `tally`.
 */
async function deleteInBatches(
  executor: Executor,
  target: BatchTarget,
  { batchSize, pauseRatio }: Pacing,
): Promise<{ deleted: number; tallied: number }> {
  const table = sql.raw(target.table);
  const key = sql.raw(target.key);
  const keyType = sql.raw(target.keyType);
  let after = target.start;
  let deleted = 0;
  let tallied = 0;
  for (;;) {
    const started = performance.now();
    const rows: Array<{
      selected: number;
      deleted: number;
      tallied: number;
      last_key: string | null;
    }> = await queryRows(
      executor,
      sql`WITH batch AS MATERIALIZED (
          SELECT ctid AS row_id, ${key} AS key FROM ${table}
          WHERE ${key} >= ${after}::${keyType} AND ${target.condition}
          ORDER BY ${key} LIMIT ${batchSize}::int
        ),
        deleted AS (
          DELETE FROM ${table}
          WHERE ctid = ANY (ARRAY(SELECT row_id FROM batch)) AND ${target.condition}
          RETURNING ${target.tally ?? sql`false`} AS tallied
        )
        SELECT (SELECT count(*) FROM batch)::int AS selected,
          (SELECT count(*) FROM deleted)::int AS deleted,
          (SELECT count(*) FROM deleted WHERE tallied)::int AS tallied,
          (SELECT key FROM batch ORDER BY key DESC LIMIT 1)::text AS last_key`,
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`cleanup statement on ${target.table} returned no row`);
    deleted += row.deleted;
    tallied += row.tallied;
    if (row.selected < batchSize || row.last_key === null) return { deleted, tallied };
    after = row.last_key;
    if (pauseRatio > 0) await sleep((performance.now() - started) * pauseRatio);
  }
}

/** How each table's batches go: their size, and the pause after each (CLEANUP_PAUSE_RATIO). */
interface Pacing {
  batchSize: number;
  pauseRatio: number;
}

const FIRST_UUID = "00000000-0000-0000-0000-000000000000";

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
            key: "id",
            keyType: "uuid",
            start: FIRST_UUID,
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
      key: "user_id",
      keyType: "uuid",
      start: FIRST_UUID,
      condition: sql`window_started_at <= ${isoTimestamp(attemptWindowCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const addressWindows = await deleteInBatches(
    executor,
    {
      table: "address_attempts",
      key: "recipient_key",
      keyType: "text",
      start: "",
      condition: sql`window_started_at <= ${isoTimestamp(attemptWindowCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const sendWindows = await deleteInBatches(
    executor,
    {
      table: "send_limits",
      key: "recipient_key",
      keyType: "text",
      start: "",
      condition: sql`window_started_at <= ${isoTimestamp(sendWindowCutoff(p.now, p.policy))}::timestamptz
        AND last_sent_at <= ${isoTimestamp(sendCooldownCutoff(p.now, p.policy))}::timestamptz`,
    },
    pacing,
  );
  const sessions = await deleteInBatches(
    executor,
    {
      table: "sessions",
      key: "id",
      keyType: "uuid",
      start: FIRST_UUID,
      condition: sql`expires_at <= ${now}::timestamptz`,
    },
    pacing,
  );
  // A finished row never changes again; a PENDING one is never deleted, whatever its age.
  const outbox = await deleteInBatches(
    executor,
    {
      table: "email_outbox",
      key: "id",
      keyType: "uuid",
      start: FIRST_UUID,
      condition: sql`status <> 'PENDING' AND created_at < ${outboxCutoff}::timestamptz`,
    },
    pacing,
  );
  const eventCutoff = isoTimestamp(new Date(p.now.getTime() - eventRetentionDays * 86_400_000));
  const securityEvents = await deleteInBatches(
    executor,
    {
      table: "security_events",
      key: "id",
      keyType: "uuid",
      start: FIRST_UUID,
      condition: sql`created_at < ${eventCutoff}::timestamptz`,
    },
    pacing,
  );
  return {
    usedDeleted: codes.tallied,
    expiredDeleted: codes.deleted - codes.tallied,
    attemptWindowsDeleted: attemptWindows.deleted + addressWindows.deleted,
    sendWindowsDeleted: sendWindows.deleted,
    sessionsDeleted: sessions.deleted,
    outboxDeleted: outbox.deleted,
    securityEventsDeleted: securityEvents.deleted,
  };
}
