import { type SQL, sql } from "drizzle-orm";
import { newRowId } from "../db/row-id.js";
import {
  type Executor,
  isoTimestamp,
  queryRows,
  THEN_COMMIT,
  toDate,
  toDateOrNull,
} from "../db/rows.js";
import { attemptWindowCutoff } from "../rules/attempt-budget.js";
import type { CodeType } from "../rules/code-types.js";
import type { PasscodePolicy } from "../rules/policy.js";
import { guardCtes, guardSpendCte } from "./account-failures.js";

export interface ReplacePasscodeParams {
  /**
   * The account; null: nobody gets a code (an address without an account, or one this code
   * type is not for). The statement is then the same, with parameters of the same shape (the
   * delete looks up a fresh id), inserts no code, and queues its email all the same: a decoy
   * that names a code that does not exist, so the delivery's claim settles it as SUPERSEDED,
   * never sent (outbox.ts). Such a request does the work of one that issues a code: the same
   * statement, the same sealed email queued, the same claim after it (ADR 5, ADR 25).
   */
  userId: string | null;
  codeType: CodeType;
  passcodeId: string;
  codeHash: string;
  /** The HMAC of the secret of the link mailed beside the code (rules/code-hash.ts). */
  linkHash: string;
  expiresAt: Date;
  now: Date;
  /** EMAIL_CHANGE only: the address the code goes to. */
  newEmail?: string | null;
  /**
   * VERIFICATION only: the registration's password and the hash of its
   * client's binding token (ADR 10); "carry" keeps those of the live code this
   * issue replaces (a resend), so a resent code stays bound to the same
   * registration. Absent: the new code carries no password.
   */
  pending?: { passwordHash: string; bindingHash: string } | "carry";
  /**
   * The code's email; `traceContext` as in QueuedNotice. `passcodeId` null: an email that
   * carries no code (nobody's notice, issue.ts), sent as it is; absent: the code's.
   */
  outbox: {
    id: string;
    kind: string;
    payload: Uint8Array;
    traceContext: string | null;
    passcodeId?: string | null;
  };
}

/**
 * The seed's issuing rule in one statement: delete every code of the pair,
 * used or not, then insert the new one (unused) and queue its email. The
 * insert reads the delete's count, which forces the delete to finish first.
 * Run it in a transaction that holds the account's row lock (see users.ts):
 * without it, two concurrent issues would each miss the other's new row.
 * For nobody it queues the decoy email and nothing else (see `userId`).
 * It does not NOTIFY: the caller wakes delivery after commit (ADR 8). It is
 * the last statement of its transaction (`THEN_COMMIT`: on PostgreSQL the
 * COMMIT goes out with it), so it commits as soon as it succeeds.
 * Returns how many codes were deleted (0 when `userId` is null).
 */
export async function replacePasscode(tx: Executor, p: ReplacePasscodeParams): Promise<number> {
  // Nobody: the delete still looks up its index, for an id no account has.
  const issues = p.userId !== null;
  const userId = p.userId ?? newRowId();
  const now = isoTimestamp(p.now);
  const expiresAt = isoTimestamp(p.expiresAt);
  const pending =
    p.pending === "carry"
      ? {
          passwordHash: sql`(SELECT pending_password_hash FROM carried)`,
          bindingHash: sql`(SELECT binding_hash FROM carried)`,
        }
      : {
          passwordHash: sql`${p.pending?.passwordHash ?? null}::text`,
          bindingHash: sql`${p.pending?.bindingHash ?? null}::text`,
        };
  const rows = await queryRows<{ deleted_count: number }>(
    tx,
    sql`${sql.raw(THEN_COMMIT)} WITH deleted AS (
      DELETE FROM passcodes
      WHERE user_id = ${userId}::uuid AND code_type = ${p.codeType}::code_type
      RETURNING is_used, code_hash, created_at, pending_password_hash, binding_hash
    ),
    deleted_count AS (SELECT count(*)::int AS n FROM deleted),
    replaced AS (
      SELECT code_hash FROM deleted WHERE NOT is_used ORDER BY created_at DESC LIMIT 1
    ),
    carried AS (
      SELECT pending_password_hash, binding_hash FROM deleted
      WHERE NOT is_used AND binding_hash IS NOT NULL LIMIT 1
    ),
    inserted AS (
      INSERT INTO passcodes (id, user_id, code_type, code_hash, link_hash, is_used, expires_at,
        created_at, new_email, pending_password_hash, binding_hash, replaced_code_hash)
      SELECT ${p.passcodeId}::uuid, ${userId}::uuid, ${p.codeType}::code_type, ${p.codeHash},
        ${p.linkHash}, false, ${expiresAt}::timestamptz, ${now}::timestamptz, ${p.newEmail ?? null}::text,
        ${pending.passwordHash}, ${pending.bindingHash}, (SELECT code_hash FROM replaced)
      FROM deleted_count WHERE ${issues}::boolean
      RETURNING id
    ),
    queued AS (
      INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at,
        trace_context)
      -- Queued for nobody too: its passcode id names no code, so the claim settles it unsent.
      -- FROM deleted_count: one row, after the delete (as the code's insert).
      SELECT ${p.outbox.id}::uuid, ${p.outbox.kind}, ${p.outbox.payload}::bytea,
        ${p.outbox.passcodeId === undefined ? p.passcodeId : p.outbox.passcodeId}::uuid, 'PENDING', ${now}::timestamptz, ${expiresAt}::timestamptz,
        ${now}::timestamptz, ${p.outbox.traceContext}::text
      FROM deleted_count
      RETURNING id
    )
    SELECT deleted_count.n AS deleted_count, (SELECT count(*) FROM queued)::int AS queued
    FROM deleted_count`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("passcode statement returned no row");
  return row.deleted_count;
}

export interface VerificationLookupParams {
  /** The account, by address (verification, reset, sign-in) or by id (signed-in flows). */
  account: { email: string } | { userId: string };
  /**
   * The key of the consecutive-failure cap (account-failures.ts): the
   * address's HMAC or, for a device the account knows, the device's key.
   */
  recipientKey: string;
  /**
   * A device the account has signed in from (`deviceBudgetKey`, ADR 20): the
   * attempt unit is spent from its own window (`device_attempts`), never the
   * account's. Null: the account's budget.
   */
  deviceKey?: string | null;
  codeType: CodeType;
  now: Date;
  policy: PasscodePolicy;
}

/**
 * The attempt budget this check spent from: the account's (per user and code
 * type) or, for an address without an account, the address's own (per
 * address HMAC and code type), kept by the same rule, so both answer alike.
 */
export interface AttemptBudgetLookup {
  /** Granted attempt: units spent in the window including this one; null when refused. */
  reservedFailures: number | null;
  /** The window as this statement found it (for the retry time when refused). */
  windowBefore: { windowStartedAt: Date; failures: number } | null;
}

export interface VerificationLookup {
  userId: string;
  email: string;
  isVerified: boolean;
  /** The account's language for its emails (`users.locale`). */
  locale: string;
  passcode: {
    id: string;
    codeHash: string;
    /** The HMAC of the link's secret; null on a row issued before links existed. */
    linkHash: string | null;
    isUsed: boolean;
    expiresAt: Date;
    newEmail: string | null;
    /** VERIFICATION: the registration's password and its client binding (ADR 10). */
    pendingPasswordHash: string | null;
    bindingHash: string | null;
    /** The keyed hash of the unused code this one replaced, if any. */
    replacedCodeHash: string | null;
  } | null;
}

/** The cap on consecutive failures as this check found it (rules/consecutive-failures.ts). */
export interface GuardLookup {
  /** The address was at the cap: nothing was spent, nothing may be compared. */
  locked: boolean;
  /** Granted: consecutive failures including this check; null when not spent. */
  reservedConsecutive: number | null;
}

interface LookupRow {
  guard_open: boolean;
  guard_reserved: number | null;
  user_id: string | null;
  email: string;
  is_verified: boolean;
  locale: string | null;
  reserved_failures: number | null;
  window_started_at_before: Date | string | null;
  failures_before: number | null;
  passcode_id: string | null;
  code_hash: string | null;
  link_hash: string | null;
  is_used: boolean | null;
  expires_at: Date | string | null;
  new_email: string | null;
  pending_password_hash: string | null;
  binding_hash: string | null;
  replaced_code_hash: string | null;
}

/**
 * One statement: lock the account and the address's failure counters, and,
 * unless the address is at its cap of consecutive failures, spend one unit of
 * the account's attempt budget for this code type (a conditional upsert, so
 * parallel guesses cannot overdraw it; mirrors `decideAttempt`) and, when that
 * was granted (or there is no account: an unknown address is counted alike),
 * one unit of the cap; then read the code. `found` is null for an unknown
 * address, whose own budget (`address_attempts`) is spent instead, by the same
 * rule, so its answers are those of an account without a live code.
 */
export async function lockAccountAndReserveAttempt(
  tx: Executor,
  p: VerificationLookupParams,
): Promise<{ guard: GuardLookup; budget: AttemptBudgetLookup; found: VerificationLookup | null }> {
  const now = isoTimestamp(p.now);
  const cutoff = isoTimestamp(attemptWindowCutoff(p.now, p.policy));
  const guardParams = { recipientKey: p.recipientKey, now: p.now, policy: p.policy };
  const deviceKey = p.deviceKey ?? null;
  // The account's window, or the known device's own (the same rule, the same CTE names).
  const attempts =
    deviceKey === null
      ? sql`attempt_before AS (
      SELECT a.window_started_at, a.failures FROM otp_attempts a JOIN account ON a.user_id = account.id
      WHERE a.code_type = ${p.codeType}::code_type
    ),
    attempt_reserved AS (
      INSERT INTO otp_attempts AS a (user_id, code_type, window_started_at, failures)
      SELECT id, ${p.codeType}::code_type, ${now}::timestamptz, 1 FROM account
      WHERE EXISTS (SELECT 1 FROM guard_open)
      ${spendUnitOnConflict(sql`(user_id, code_type)`, cutoff, p.policy)}
    )`
      : sql`attempt_before AS (
      SELECT a.window_started_at, a.failures FROM device_attempts a
      WHERE a.device_key = ${deviceKey} AND a.code_type = ${p.codeType}::code_type
        AND EXISTS (SELECT 1 FROM account)
    ),
    attempt_reserved AS (
      INSERT INTO device_attempts AS a (device_key, code_type, window_started_at, failures)
      SELECT ${deviceKey}, ${p.codeType}::code_type, ${now}::timestamptz, 1 FROM account
      WHERE EXISTS (SELECT 1 FROM guard_open)
      ${spendUnitOnConflict(sql`(device_key, code_type)`, cutoff, p.policy)}
    )`;
  const rows = await queryRows<LookupRow>(
    tx,
    sql`WITH account AS (
      SELECT id, email, is_verified, locale FROM users
      WHERE ${"email" in p.account ? sql`lower(email) = ${p.account.email}` : sql`id = ${p.account.userId}::uuid`}
      FOR UPDATE
    ),
    ${guardCtes(guardParams)},
    ${attempts},
    address_before AS (
      SELECT a.window_started_at, a.failures FROM address_attempts a
      WHERE a.recipient_key = ${p.recipientKey} AND a.code_type = ${p.codeType}::code_type
        AND NOT EXISTS (SELECT 1 FROM account)
    ),
    address_reserved AS (
      INSERT INTO address_attempts AS a (recipient_key, code_type, window_started_at, failures)
      SELECT ${p.recipientKey}, ${p.codeType}::code_type, ${now}::timestamptz, 1
      WHERE NOT EXISTS (SELECT 1 FROM account) AND EXISTS (SELECT 1 FROM guard_open)
      ${spendUnitOnConflict(sql`(recipient_key, code_type)`, cutoff, p.policy)}
    ),
    ${guardSpendCte(
      guardParams,
      sql`EXISTS (SELECT 1 FROM attempt_reserved) OR EXISTS (SELECT 1 FROM address_reserved)`,
    )}
    SELECT EXISTS (SELECT 1 FROM guard_open) AS guard_open,
      (SELECT consecutive_failures FROM guard_reserved) AS guard_reserved,
      account.id AS user_id, account.email, account.is_verified, account.locale,
      COALESCE((SELECT failures FROM attempt_reserved), (SELECT failures FROM address_reserved))
        AS reserved_failures,
      COALESCE((SELECT window_started_at FROM attempt_before), (SELECT window_started_at FROM address_before))
        AS window_started_at_before,
      COALESCE((SELECT failures FROM attempt_before), (SELECT failures FROM address_before))
        AS failures_before,
      code.id AS passcode_id, code.code_hash, code.link_hash, code.is_used, code.expires_at, code.new_email,
      code.pending_password_hash, code.binding_hash, code.replaced_code_hash
    FROM (SELECT 1) AS one
    LEFT JOIN account ON true
    LEFT JOIN LATERAL (
      SELECT id, code_hash, link_hash, is_used, expires_at, new_email, pending_password_hash,
        binding_hash, replaced_code_hash
      FROM passcodes
      WHERE user_id = account.id AND code_type = ${p.codeType}::code_type
      ORDER BY created_at DESC LIMIT 1
    ) AS code ON true`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("code lookup statement returned no row");
  const guard: GuardLookup = { locked: !row.guard_open, reservedConsecutive: row.guard_reserved };
  const budget: AttemptBudgetLookup = {
    reservedFailures: row.reserved_failures,
    windowBefore:
      row.window_started_at_before === null
        ? null
        : {
            windowStartedAt: toDate(row.window_started_at_before),
            failures: row.failures_before ?? 0,
          },
  };
  if (row.user_id === null) return { guard, budget, found: null };
  return {
    guard,
    budget,
    found: {
      userId: row.user_id,
      email: row.email,
      isVerified: row.is_verified,
      locale: row.locale as string,
      passcode:
        row.passcode_id === null || row.code_hash === null
          ? null
          : {
              id: row.passcode_id,
              codeHash: row.code_hash,
              linkHash: row.link_hash,
              isUsed: row.is_used === true,
              expiresAt: toDateOrNull(row.expires_at) ?? new Date(0),
              newEmail: row.new_email,
              pendingPasswordHash: row.pending_password_hash,
              bindingHash: row.binding_hash,
              replacedCodeHash: row.replaced_code_hash,
            },
    },
  };
}

/**
 * The conditional upsert's tail that spends one unit of a budget window
 * (mirrors `decideAttempt`): a window past its length starts again at one; an
 * open window takes a unit only while it has one left. Nothing is returned
 * when the window is spent.
 */
function spendUnitOnConflict(conflictTarget: SQL, cutoff: string, policy: PasscodePolicy): SQL {
  return sql`ON CONFLICT ${conflictTarget} DO UPDATE SET
        window_started_at = CASE WHEN a.window_started_at <= ${cutoff}::timestamptz
          THEN EXCLUDED.window_started_at ELSE a.window_started_at END,
        failures = CASE WHEN a.window_started_at <= ${cutoff}::timestamptz
          THEN 1 ELSE a.failures + 1 END
      WHERE a.window_started_at <= ${cutoff}::timestamptz OR a.failures < ${policy.maxFailedAttempts}::int
      RETURNING a.failures`;
}

/** The row a link's token names, with its account: what the link stands for. */
export interface LinkTarget {
  passcodeId: string;
  userId: string;
  codeType: CodeType;
  /** The account's address (EMAIL_CHANGE: the address it moves from). */
  email: string;
  /** EMAIL_CHANGE: the address the code and link went to. */
  newEmail: string | null;
  linkHash: string | null;
  isUsed: boolean;
  expiresAt: Date;
}

/**
 * Reads the code row a link's token names, and its account's address. A read
 * only: describing a link, and finding the account a link's check is charged
 * to, change nothing. Null when no such row exists (never issued, or deleted
 * by a newer code or by cleanup).
 */
export async function findLinkTarget(
  executor: Executor,
  passcodeId: string,
): Promise<LinkTarget | null> {
  const rows = await queryRows<{
    id: string;
    user_id: string;
    code_type: CodeType;
    email: string;
    new_email: string | null;
    link_hash: string | null;
    is_used: boolean;
    expires_at: Date | string;
  }>(
    executor,
    sql`SELECT p.id, p.user_id, p.code_type, u.email, p.new_email, p.link_hash, p.is_used,
      p.expires_at
    FROM passcodes p JOIN users u ON u.id = p.user_id
    WHERE p.id = ${passcodeId}::uuid`,
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    passcodeId: row.id,
    userId: row.user_id,
    codeType: row.code_type,
    email: row.email,
    newEmail: row.new_email,
    linkHash: row.link_hash,
    isUsed: row.is_used,
    expiresAt: toDate(row.expires_at),
  };
}

export interface ConsumeParams {
  passcodeId: string;
  userId: string;
  /** The cap's key (the address's HMAC or a known device's): a used code is a success, so its consecutive failures go back to 0. */
  recipientKey: string;
  /** The known device whose window the check spent from (`lockAccountAndReserveAttempt`). */
  deviceKey?: string | null;
  codeType: CodeType;
  now: Date;
  /**
   * The code's effect: more CTEs, each reading the user id from `consumed`,
   * so they change nothing unless this call consumed the code (see
   * passcode-effects.ts). Rows they return can be read back through `extra`.
   * `account.was_verified` is the account's state before this statement.
   */
  effect: SQL;
  /** Extra columns for the final SELECT, computed from the effect's CTEs. */
  extra?: SQL;
}

/**
 * One statement, so one transaction: lock the account, mark the code used,
 * only if it is still unused and unexpired (the conditional update is what
 * makes a code single-use under concurrency), apply its effect in the same
 * statement, and give back the attempt unit a correct code spent. The code
 * becomes `is_used = true` only together with its effect.
 *
 * It runs in the transaction of `lockAccountAndReserveAttempt` (ADR 24), as
 * its last statement (`THEN_COMMIT`): the account's row lock is already held,
 * and the update's condition reads `account` all the same, so the lock comes
 * before any code row is touched, the order of every transaction that issues
 * a code (ADR 3). A code used since the lookup is simply not found here.
 */
export async function consumeCode<Extra extends object = object>(
  tx: Executor,
  p: ConsumeParams,
): Promise<{ consumed: boolean } & Partial<Extra>> {
  const now = isoTimestamp(p.now);
  const rows = await queryRows<{ consumed: number } & Partial<Extra>>(
    tx,
    sql`${sql.raw(THEN_COMMIT)} WITH account AS MATERIALIZED (
      SELECT id, is_verified AS was_verified FROM users WHERE id = ${p.userId}::uuid FOR UPDATE
    ),
    consumed AS (
      UPDATE passcodes SET is_used = true, used_at = ${now}::timestamptz,
        pending_password_hash = NULL, binding_hash = NULL
      WHERE id = ${p.passcodeId}::uuid AND user_id = (SELECT id FROM account)
        AND is_used = false AND expires_at > ${now}::timestamptz
      RETURNING id, user_id, new_email
    ),
    refunded AS (
      ${refundSql(p, sql`(SELECT id FROM account)`)}
      RETURNING 1
    ),
    guard_cleared AS (
      UPDATE account_failures SET consecutive_failures = 0
      WHERE recipient_key = ${p.recipientKey} AND EXISTS (SELECT 1 FROM consumed)
      RETURNING 1
    ),
    ${p.effect}
    SELECT (SELECT count(*) FROM consumed)::int AS consumed,
      (SELECT count(*) FROM refunded)::int AS refunded
      ${p.extra === undefined ? sql`` : sql`, ${p.extra}`}`,
  );
  const row = rows[0];
  return { ...(row ?? {}), consumed: (row?.consumed ?? 0) > 0 } as {
    consumed: boolean;
  } & Partial<Extra>;
}

/**
 * Gives back the attempt unit and the consecutive-failure unit spent by a code
 * that matched but was expired or used: not a guess. One statement, the last
 * of the check's transaction (`THEN_COMMIT`).
 */
export async function refundAttempt(
  tx: Executor,
  /** `recipientKey` null: the consecutive-failure unit was not spent. */
  p: { userId: string; codeType: CodeType; recipientKey: string | null; deviceKey?: string | null },
): Promise<void> {
  // The account's row lock first, then the address's counters, then the
  // budget: the order of the lookup that spent the units (ADR 3), so the two
  // cannot deadlock.
  await tx.execute(
    sql`${sql.raw(THEN_COMMIT)} WITH account AS MATERIALIZED (
      SELECT id FROM users WHERE id = ${p.userId}::uuid FOR UPDATE
    ),
    guard AS MATERIALIZED (
      UPDATE account_failures SET consecutive_failures = GREATEST(consecutive_failures - 1, 0)
      WHERE recipient_key = ${p.recipientKey} AND (SELECT count(*) FROM account) >= 0
      RETURNING 1
    )
    ${refundSql(p, sql`${p.userId}::uuid`)}
      AND (SELECT count(*) FROM guard) >= 0`,
  );
}

/** Gives one attempt unit back to the window it was spent from: the account's, or a known device's. */
function refundSql(p: { codeType: CodeType; deviceKey?: string | null }, userId: SQL): SQL {
  const deviceKey = p.deviceKey ?? null;
  return deviceKey === null
    ? sql`UPDATE otp_attempts SET failures = GREATEST(failures - 1, 0)
      WHERE user_id = ${userId} AND code_type = ${p.codeType}::code_type`
    : sql`UPDATE device_attempts SET failures = GREATEST(failures - 1, 0)
      WHERE device_key = ${deviceKey} AND code_type = ${p.codeType}::code_type
        AND (${userId}) IS NOT NULL`;
}

/**
 * Gives back the unit an unknown address's own budget spent (the cap was
 * reached meanwhile); the last statement of the check's transaction.
 */
export async function refundAddressAttempt(
  tx: Executor,
  p: { recipientKey: string; codeType: CodeType },
): Promise<void> {
  await tx.execute(
    sql`${sql.raw(THEN_COMMIT)} UPDATE address_attempts SET failures = GREATEST(failures - 1, 0)
    WHERE recipient_key = ${p.recipientKey} AND code_type = ${p.codeType}::code_type`,
  );
}
