/**
 * The per-address failure counters (`account_failures`, keyed by the address
 * HMAC like the send cap): the password budget and the cap on consecutive
 * failures, both spent before comparing, and the unlock token that lifts the
 * cap. See rules/password-budget.ts and rules/consecutive-failures.ts.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows, toDateOrNull } from "../db/rows.js";
import { passwordWindowCutoff } from "../rules/password-budget.js";
import type { PasscodePolicy } from "../rules/policy.js";
import type { QueuedNotice } from "./passcode-effects.js";
import {
  type PresumedFailure,
  type SecurityEventToRecord,
  securityEventCte,
} from "./security-events.js";

export interface GuardParams {
  recipientKey: string;
  now: Date;
  policy: PasscodePolicy;
}

/**
 * Two CTEs for a code check: `guard` locks the address's counters (the latest
 * committed version) and `guard_open` has a row while the address is below the
 * cap. A statement spends its unit with `guardSpendCte` once it knows the
 * guess will be compared.
 */
export function guardCtes({ recipientKey, policy }: GuardParams): SQL {
  return sql`guard AS (
      SELECT consecutive_failures FROM account_failures
      WHERE recipient_key = ${recipientKey} FOR UPDATE
    ),
    guard_open AS (
      SELECT 1 AS open
      WHERE COALESCE((SELECT consecutive_failures FROM guard), 0) < ${policy.maxConsecutiveFailures}::int
    )`;
}

/**
 * Spends one unit of the cap (a conditional upsert, so parallel checks cannot
 * pass it), when `when` (an SQL condition) holds. Returns the count in
 * `guard_reserved`.
 */
export function guardSpendCte({ recipientKey, policy }: GuardParams, when: SQL): SQL {
  return sql`guard_reserved AS (
      INSERT INTO account_failures AS g (recipient_key, consecutive_failures)
      SELECT ${recipientKey}, 1 WHERE EXISTS (SELECT 1 FROM guard_open) AND (${when})
      ON CONFLICT (recipient_key) DO UPDATE SET consecutive_failures = g.consecutive_failures + 1
      WHERE g.consecutive_failures < ${policy.maxConsecutiveFailures}::int
      RETURNING g.consecutive_failures
    )`;
}

export interface PasswordReservation {
  /** Granted: the units spent including this one; null when refused. */
  reserved: { consecutiveFailures: number; passwordFailures: number; windowStartedAt: Date } | null;
  /** The counters as the statement found them (for the refusal's reason and retry time). */
  before: {
    consecutiveFailures: number;
    passwordFailures: number;
    windowStartedAt: Date | null;
  } | null;
  credentials: {
    userId: string;
    passwordHash: string | null;
    isVerified: boolean;
    /** The account's language for its emails (`users.locale`). */
    locale: string;
  } | null;
}

/**
 * One statement for a password sign-in: lock the address's counters, spend a
 * unit of the password budget and of the consecutive cap together (refused if
 * either is used up: mirrors `decidePasswordAttempt` and `decideConsecutive`),
 * and read the credentials. A verified account has its active password, or
 * none; an unverified account has no active password (ADR 10), and the
 * password its live registration chose is read so that, when it is typed, the
 * answer can say "verify your address first" (never a session). The same
 * statement for every address, with or without an account. With `presumedFailure` (a
 * sign-in), a granted attempt also records its SIGN_IN_BLOCKED event for the account of the
 * address, if any (security-events.ts): a wrong password then needs no statement more.
 */
export async function reservePasswordAttempt(
  executor: Executor,
  p: GuardParams & { email: string; presumedFailure?: PresumedFailure },
): Promise<PasswordReservation> {
  const now = isoTimestamp(p.now);
  const cutoff = isoTimestamp(passwordWindowCutoff(p.now, p.policy));
  const windowOver = sql`(g.password_window_started_at IS NULL OR g.password_window_started_at <= ${cutoff}::timestamptz)`;
  const rows = await queryRows<{
    reserved_consecutive: number | null;
    reserved_failures: number | null;
    reserved_window: Date | string | null;
    before_consecutive: number | null;
    before_failures: number | null;
    before_window: Date | string | null;
    user_id: string | null;
    is_verified: boolean | null;
    locale: string | null;
    password_hash: string | null;
  }>(
    executor,
    sql`WITH guard AS (
      SELECT consecutive_failures, password_failures, password_window_started_at
      FROM account_failures WHERE recipient_key = ${p.recipientKey} FOR UPDATE
    ),
    reserved AS (
      INSERT INTO account_failures AS g (recipient_key, consecutive_failures,
        password_window_started_at, password_failures)
      -- FROM guard: the counters are locked (and read) before they are changed.
      SELECT ${p.recipientKey}, 1, ${now}::timestamptz, 1 FROM (SELECT count(*) FROM guard) AS locked
      ON CONFLICT (recipient_key) DO UPDATE SET
        consecutive_failures = g.consecutive_failures + 1,
        password_window_started_at = CASE WHEN ${windowOver}
          THEN EXCLUDED.password_window_started_at ELSE g.password_window_started_at END,
        password_failures = CASE WHEN ${windowOver} THEN 1 ELSE g.password_failures + 1 END
      WHERE g.consecutive_failures < ${p.policy.maxConsecutiveFailures}::int
        AND (${windowOver} OR g.password_failures < ${p.policy.passwordMaxFailures}::int)
      RETURNING g.consecutive_failures, g.password_failures, g.password_window_started_at
    ),
    account AS (
      SELECT u.id, u.is_verified, u.locale,
        CASE WHEN u.is_verified THEN u.password_hash
          ELSE COALESCE(u.password_hash, (
            SELECT c.pending_password_hash FROM passcodes c
            WHERE c.user_id = u.id AND c.code_type = 'VERIFICATION' AND c.is_used = false
            ORDER BY c.created_at DESC LIMIT 1))
        END AS password_hash
      FROM users u WHERE lower(u.email) = ${p.email}
    )${
      p.presumedFailure === undefined
        ? sql``
        : sql`,
    ${securityEventCte(
      "presumed_failure",
      sql`SELECT id AS user_id FROM account WHERE EXISTS (SELECT 1 FROM reserved)`,
      p.presumedFailure.event,
      p.presumedFailure.id,
    )}`
    }
    SELECT r.consecutive_failures AS reserved_consecutive, r.password_failures AS reserved_failures,
      r.password_window_started_at AS reserved_window,
      b.consecutive_failures AS before_consecutive, b.password_failures AS before_failures,
      b.password_window_started_at AS before_window,
      a.id AS user_id, a.is_verified, a.locale, a.password_hash
    FROM (SELECT 1) AS one
    LEFT JOIN reserved r ON true LEFT JOIN guard b ON true LEFT JOIN account a ON true`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("password reservation statement returned no row");
  return {
    reserved:
      row.reserved_consecutive === null || row.reserved_failures === null
        ? null
        : {
            consecutiveFailures: row.reserved_consecutive,
            passwordFailures: row.reserved_failures,
            windowStartedAt: toDateOrNull(row.reserved_window) ?? p.now,
          },
    before:
      row.before_consecutive === null
        ? null
        : {
            consecutiveFailures: row.before_consecutive,
            passwordFailures: row.before_failures ?? 0,
            windowStartedAt: toDateOrNull(row.before_window),
          },
    credentials:
      row.user_id === null
        ? null
        : {
            userId: row.user_id,
            passwordHash: row.password_hash,
            isVerified: row.is_verified === true,
            locale: row.locale as string,
          },
  };
}

/**
 * One statement: the first time the password budget of this window ran out,
 * mark the window as told and queue the notice to the account's owner (none
 * for an address without an account: the marking happens alike). Returns
 * whether a notice was queued.
 */
export async function queuePasswordNoticeOnce(
  executor: Executor,
  p: {
    recipientKey: string;
    email: string;
    windowStartedAt: Date;
    notice: QueuedNotice;
    now: Date;
  },
): Promise<boolean> {
  const at = isoTimestamp(p.now);
  const rows = await queryRows<{ queued: number }>(
    executor,
    sql`WITH marked AS (
      UPDATE account_failures SET password_notice_window = password_window_started_at
      WHERE recipient_key = ${p.recipientKey}
        AND password_window_started_at = ${isoTimestamp(p.windowStartedAt)}::timestamptz
        AND password_notice_window IS DISTINCT FROM password_window_started_at
      RETURNING 1
    ),
    queued AS (
      INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at,
        trace_context)
      SELECT ${p.notice.id}::uuid, ${p.notice.kind}, ${p.notice.payload}::bytea, NULL, 'PENDING',
        ${at}::timestamptz, NULL, ${at}::timestamptz, ${p.notice.traceContext}::text
      FROM users WHERE lower(email) = ${p.email} AND EXISTS (SELECT 1 FROM marked)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM queued)::int AS queued`,
  );
  return (rows[0]?.queued ?? 0) > 0;
}

/**
 * One statement: an address at the cap gets an unlock token (its SHA-256
 * only) unless it has a live one, and the account's owner the email with the
 * link (none for an address without an account). Returns whether an email
 * was queued.
 */
export async function issueUnlockIfNeeded(
  executor: Executor,
  p: GuardParams & {
    email: string;
    tokenHash: string;
    expiresAt: Date;
    notice: QueuedNotice;
    /** ACCOUNT_LOCKED, recorded for the account (if any) when this statement locks it. */
    event: SecurityEventToRecord;
  },
): Promise<boolean> {
  const at = isoTimestamp(p.now);
  const rows = await queryRows<{ queued: number }>(
    executor,
    sql`WITH issued AS (
      UPDATE account_failures SET unlock_token_hash = ${p.tokenHash},
        unlock_expires_at = ${isoTimestamp(p.expiresAt)}::timestamptz,
        unlock_user_id = (SELECT id FROM users WHERE lower(email) = ${p.email})
      WHERE recipient_key = ${p.recipientKey}
        AND consecutive_failures >= ${p.policy.maxConsecutiveFailures}::int
        AND (unlock_token_hash IS NULL OR unlock_expires_at <= ${at}::timestamptz)
      RETURNING 1
    ),
    queued AS (
      INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at,
        trace_context)
      SELECT ${p.notice.id}::uuid, ${p.notice.kind}, ${p.notice.payload}::bytea, NULL, 'PENDING',
        ${at}::timestamptz, ${isoTimestamp(p.expiresAt)}::timestamptz, ${at}::timestamptz,
        ${p.notice.traceContext}::text
      FROM users WHERE lower(email) = ${p.email} AND EXISTS (SELECT 1 FROM issued)
      RETURNING 1
    ),
    ${securityEventCte(
      "locked_event",
      sql`SELECT id AS user_id FROM users
        WHERE lower(email) = ${p.email} AND EXISTS (SELECT 1 FROM issued)`,
      p.event,
    )}
    SELECT (SELECT count(*) FROM queued)::int AS queued`,
  );
  return (rows[0]?.queued ?? 0) > 0;
}

/**
 * One statement: a live unlock token lifts the cap (the count back to 0), and
 * the password budget's window with it (the owner proved the address), and is
 * spent (single use); the account it was mailed to records ACCOUNT_UNLOCKED.
 * Returns whether it did.
 */
export async function useUnlockToken(
  executor: Executor,
  p: { tokenHash: string; now: Date; event: SecurityEventToRecord },
): Promise<boolean> {
  const rows = await queryRows<{ unlocked: number }>(
    executor,
    sql`WITH target AS (
      SELECT recipient_key, unlock_user_id FROM account_failures
      WHERE unlock_token_hash = ${p.tokenHash} AND unlock_expires_at > ${isoTimestamp(p.now)}::timestamptz
      FOR UPDATE
    ),
    unlocked AS (
      UPDATE account_failures f SET consecutive_failures = 0, password_failures = 0,
        unlock_token_hash = NULL, unlock_expires_at = NULL, unlock_user_id = NULL
      FROM target WHERE f.recipient_key = target.recipient_key
      RETURNING target.unlock_user_id AS user_id
    ),
    ${securityEventCte(
      "unlocked_event",
      sql`SELECT user_id FROM unlocked WHERE user_id IS NOT NULL`,
      p.event,
    )}
    SELECT (SELECT count(*) FROM unlocked)::int AS unlocked`,
  );
  return (rows[0]?.unlocked ?? 0) > 0;
}
