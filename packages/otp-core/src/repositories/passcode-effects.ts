/**
 * What each code type does when it is consumed, as CTEs for `consumeCode`.
 * Every CTE reads the user from `consumed`, so it changes nothing unless the
 * code was consumed by the same statement: a code is `is_used = true` only
 * together with its effect, and never without it.
 */
import { type SQL, sql } from "drizzle-orm";
import { isoTimestamp } from "../db/rows.js";
import type { StoredClient } from "../rules/client-context.js";
import { forgetDevicesCte } from "./known-devices.js";

export interface QueuedNotice {
  id: string;
  kind: string;
  payload: Uint8Array;
  /** The queuing request's W3C traceparent (`email_outbox.trace_context`); null when tracing is off. */
  traceContext: string | null;
}

/** An outbox row inserted once per row of `source` (a CTE name): a notice that goes with the effect. */
function noticeCte(name: string, source: string, notice: QueuedNotice, now: Date): SQL {
  const at = isoTimestamp(now);
  return sql`${sql.raw(name)} AS (
    INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at,
      trace_context)
    SELECT ${notice.id}::uuid, ${notice.kind}, ${notice.payload}::bytea, NULL, 'PENDING',
      ${at}::timestamptz, NULL, ${at}::timestamptz, ${notice.traceContext}::text
    FROM ${sql.raw(source)}
    RETURNING id
  )`;
}

/** A new session, inserted only if the code was consumed (and, with `source`, only from its rows). */
export interface SessionToInsert {
  sessionId: string;
  tokenHash: string;
  expiresAt: Date;
  /** The signing-in client's address and User-Agent, kept on the session. */
  client?: StoredClient;
}

function sessionCte(session: SessionToInsert, now: Date, source = "consumed"): SQL {
  const at = isoTimestamp(now);
  return sql`session AS (
    INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, ip, user_agent)
    SELECT ${session.sessionId}::uuid, user_id, ${session.tokenHash}, ${at}::timestamptz,
      ${isoTimestamp(session.expiresAt)}::timestamptz, ${at}::timestamptz,
      ${session.client?.ip ?? null}::text, ${session.client?.userAgent ?? null}::text
    FROM ${sql.raw(source)}
    RETURNING id
  )`;
}

/**
 * The address proven by a code of another route than the registration's own
 * (ADR 10). If the account was not verified yet, whatever password and
 * sessions it had were not proven to be the owner's: the password is dropped
 * (`activate` replaces it instead when the registration's own client used its
 * own code), every earlier session is revoked, and the registration's pending
 * password is taken off every verification code, so it can never become
 * active later. A verified account keeps its password and sessions.
 */
function proveAddress(now: Date, activate: string | null = null): SQL {
  const at = isoTimestamp(now);
  return sql`verified AS (
    UPDATE users u SET is_verified = true,
      verified_at = COALESCE(u.verified_at, ${at}::timestamptz),
      updated_at = ${at}::timestamptz,
      password_hash = CASE WHEN a.was_verified THEN u.password_hash ELSE ${activate}::text END
    FROM account a
    WHERE u.id = a.id AND u.id IN (SELECT user_id FROM consumed)
    RETURNING u.id AS user_id, (u.password_hash IS NOT NULL) AS password_active, a.was_verified
  ),
  unproven_sessions AS (
    DELETE FROM sessions
    WHERE user_id IN (SELECT user_id FROM verified WHERE NOT was_verified)
    RETURNING 1
  ),
  pending_dropped AS (
    UPDATE passcodes SET pending_password_hash = NULL, binding_hash = NULL
    WHERE user_id IN (SELECT user_id FROM verified) AND code_type = 'VERIFICATION'
      AND binding_hash IS NOT NULL AND id NOT IN (SELECT id FROM consumed)
    RETURNING 1
  )`;
}

/**
 * VERIFICATION: the account becomes verified. With `bound` (the code was
 * entered from the client that registered, ADR 10) the registration's pending
 * password becomes the account's and a session is created in the same
 * statement; otherwise the address is proven and no password is activated.
 */
export function verifyEmailEffect(p: {
  now: Date;
  bound: { passwordHash: string; session: SessionToInsert } | null;
}): SQL {
  if (p.bound === null) return proveAddress(p.now);
  return sql`${proveAddress(p.now, p.bound.passwordHash)},
  ${sessionCte(p.bound.session, p.now, "verified")}`;
}

export const verifyEmailExtra = sql`(SELECT bool_or(password_active) FROM verified) AS "passwordActive",
  (SELECT count(*) FROM session)::int AS "sessionsCreated"`;
export const verifyEmailUnboundExtra = sql`(SELECT bool_or(password_active) FROM verified) AS "passwordActive",
  0 AS "sessionsCreated"`;

/**
 * PASSWORD_RESET: the new password replaces the old, every session of the
 * account is revoked, and the "password changed" notice is queued. Entering a
 * code sent to the address also proves the address, so it becomes verified.
 */
export function resetPasswordEffect(p: {
  passwordHash: string;
  now: Date;
  notice: QueuedNotice;
  /** The resetting client's device (it just proved the address): the one device not revoked. */
  keepDevice: string | null;
}): SQL {
  const at = isoTimestamp(p.now);
  return sql`changed AS (
    UPDATE users SET password_hash = ${p.passwordHash}, is_verified = true,
      verified_at = COALESCE(verified_at, ${at}::timestamptz), updated_at = ${at}::timestamptz
    WHERE id IN (SELECT user_id FROM consumed)
    RETURNING id
  ),
  revoked AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed) RETURNING 1),
  ${forgetDevicesCte("devices_forgotten", sql`SELECT id FROM changed`, p.keepDevice)},
  pending_dropped AS (
    UPDATE passcodes SET pending_password_hash = NULL, binding_hash = NULL
    WHERE user_id IN (SELECT id FROM changed) AND code_type = 'VERIFICATION'
      AND binding_hash IS NOT NULL
    RETURNING 1
  ),
  ${noticeCte("notice", "changed", p.notice, p.now)}`;
}

export const resetPasswordExtra = sql`(SELECT count(*) FROM revoked)::int AS "sessionsRevoked"`;

/**
 * SIGN_IN: a session is created; the code proves the address. If the account
 * was not verified yet, its password (a registration's, never proven) is
 * dropped and every earlier session revoked (ADR 10): the owner sets a
 * password by reset.
 */
export function signInEffect(p: SessionToInsert & { now: Date }): SQL {
  return sql`${proveAddress(p.now)},
  ${sessionCte(p, p.now, "verified")}`;
}

/**
 * The link that undoes an email change (ADR 20): an EMAIL_CHANGE_UNDO row of
 * the account, keeping the address to restore in `new_email`; no code is
 * mailed with it (its `code_hash` is of a code nobody knows).
 */
export interface UndoLinkToIssue {
  passcodeId: string;
  codeHash: string;
  linkHash: string;
  /** The address the account moves from: what the link restores. */
  oldEmail: string;
  expiresAt: Date;
}

/**
 * EMAIL_CHANGE: the account's address becomes the one the code was sent to
 * (the unique index on lower(email) refuses it if another account took it
 * meanwhile, and the whole statement rolls back), every other session of the
 * account ends (`keepSession`: the one confirming), the link that undoes the
 * change is issued (an earlier live one is kept: it restores the first
 * address), and the old address is told, with that link.
 */
export function changeEmailEffect(p: {
  now: Date;
  notice: QueuedNotice;
  keepSession: string | null;
  undo: UndoLinkToIssue;
}): SQL {
  const at = isoTimestamp(p.now);
  return sql`switched AS (
    UPDATE users u SET email = c.new_email, is_verified = true,
      verified_at = COALESCE(u.verified_at, ${at}::timestamptz),
      updated_at = ${at}::timestamptz
    FROM consumed c
    WHERE u.id = c.user_id AND c.new_email IS NOT NULL
    RETURNING u.id
  ),
  others_ended AS (
    DELETE FROM sessions WHERE user_id IN (SELECT id FROM switched)
      AND id IS DISTINCT FROM ${p.keepSession}::uuid
    RETURNING 1
  ),
  undo_expired AS (
    DELETE FROM passcodes WHERE user_id IN (SELECT id FROM switched)
      AND code_type = 'EMAIL_CHANGE_UNDO' AND is_used = false AND expires_at <= ${at}::timestamptz
    RETURNING 1
  ),
  undo_issued AS (
    INSERT INTO passcodes (id, user_id, code_type, code_hash, link_hash, is_used, expires_at,
      created_at, new_email)
    SELECT ${p.undo.passcodeId}::uuid, id, 'EMAIL_CHANGE_UNDO', ${p.undo.codeHash}, ${p.undo.linkHash},
      false, ${isoTimestamp(p.undo.expiresAt)}::timestamptz, ${at}::timestamptz, ${p.undo.oldEmail}::text
    FROM switched, (SELECT count(*) FROM undo_expired) AS expired_first
    ON CONFLICT (user_id, code_type) WHERE is_used = false DO NOTHING
    RETURNING id
  ),
  ${noticeCte("notice", "switched", p.notice, p.now)}`;
}

export const changeEmailExtra = sql`(SELECT count(*) FROM switched)::int AS switched,
  (SELECT count(*) FROM others_ended)::int AS "sessionsRevoked"`;

/**
 * EMAIL_CHANGE_UNDO: the account's address goes back to the one the link was
 * mailed to (refused with the statement's rollback if another account took
 * it meanwhile), every session ends, every device is revoked, and the codes
 * still live (sent to the address being left) are deleted (ADR 20).
 */
export function undoEmailChangeEffect(p: { now: Date }): SQL {
  const at = isoTimestamp(p.now);
  return sql`restored AS (
    UPDATE users u SET email = c.new_email, updated_at = ${at}::timestamptz
    FROM consumed c
    WHERE u.id = c.user_id AND c.new_email IS NOT NULL
    RETURNING u.id
  ),
  all_ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM restored) RETURNING 1),
  ${forgetDevicesCte("all_devices_forgotten", sql`SELECT id FROM restored`, null)},
  live_codes_dropped AS (
    DELETE FROM passcodes WHERE user_id = (SELECT id FROM restored) AND is_used = false
      AND id <> (SELECT id FROM consumed)
    RETURNING 1
  )`;
}

export const undoEmailChangeExtra = sql`(SELECT count(*) FROM restored)::int AS restored,
  (SELECT count(*) FROM all_ended)::int AS "sessionsRevoked"`;

/** REAUTHENTICATION: the session that asked is marked as just authenticated (ADR 20). */
export function reauthenticateEffect(p: { now: Date; sessionId: string }): SQL {
  return sql`reauthenticated AS (
    UPDATE sessions SET authenticated_at = ${isoTimestamp(p.now)}::timestamptz
    WHERE id = ${p.sessionId}::uuid AND user_id IN (SELECT user_id FROM consumed)
    RETURNING 1
  )`;
}

export const reauthenticateExtra = sql`(SELECT count(*) FROM reauthenticated)::int AS reauthenticated`;
