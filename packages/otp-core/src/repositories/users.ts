import { sql } from "drizzle-orm";
import { newRowId } from "../db/row-id.js";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import {
  type SendReservationParams,
  type SendReservationRow,
  sendReservationColumns,
  sendReservationCtes,
} from "./send-limits.js";

export interface LockedUser {
  id: string;
  email: string;
  isVerified: boolean;
  /** The account's language for its emails (`users.locale`). */
  locale: string;
}

interface UserRow {
  id: string | null;
  email: string | null;
  is_verified: boolean | null;
  locale: string | null;
}

function toLockedUser(row: UserRow | undefined): LockedUser | null {
  if (row === undefined || row.id === null || row.email === null || row.is_verified === null) {
    return null;
  }
  return {
    id: row.id,
    email: row.email,
    isVerified: row.is_verified,
    locale: row.locale as string,
  };
}

export interface RegistrationOutcome {
  sendReservation: SendReservationRow;
  /** Null when the send cap refused the request (nothing was written). */
  user: (LockedUser & { created: boolean }) | null;
}

/**
 * One statement: take a send slot for the address and, if granted, create the
 * account (with no active password) or, for an existing one, lock it. The
 * password a registration chooses is never written to the account here: it
 * goes on the verification code the registration issues, bound to the
 * registering client, and becomes active only through that code (ADR 10). A
 * verified account is left as it was. The row stays locked until the
 * transaction ends, so issuing its code next cannot race another request for
 * the same account.
 */
export async function registerOrLockUser(
  tx: Executor,
  params: SendReservationParams & { email: string; locale: string },
): Promise<RegistrationOutcome> {
  const at = isoTimestamp(params.now);
  const rows = await queryRows<SendReservationRow & UserRow & { created: boolean | null }>(
    tx,
    sql`WITH ${sendReservationCtes(params)},
    registered AS (
      INSERT INTO users AS u (id, email, password_hash, locale, created_at, updated_at)
      SELECT ${newRowId()}::uuid, ${params.email}, NULL, ${params.locale}, ${at}::timestamptz,
        ${at}::timestamptz
      WHERE EXISTS (SELECT 1 FROM send_reserved)
      ON CONFLICT ((lower(email))) DO UPDATE SET
        updated_at = CASE WHEN u.is_verified THEN u.updated_at ELSE EXCLUDED.updated_at END
      -- The locale is the new account's only: an existing one keeps its own (ADR 15).
      RETURNING u.id, u.email, u.is_verified, u.locale, (u.xmax = 0) AS created
    ),
    -- A new account starts with clean failure counters: failures against the
    -- address before it had an account must not lock its owner out.
    guard_forgotten AS (
      DELETE FROM account_failures WHERE recipient_key = ${params.recipientKey}
        AND EXISTS (SELECT 1 FROM registered WHERE created)
      RETURNING 1
    )
    SELECT ${sendReservationColumns}, r.id, r.email, r.is_verified, r.locale, r.created
    FROM (SELECT 1) AS one LEFT JOIN registered r ON true`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("registration statement returned no row");
  const user = toLockedUser(row);
  return {
    sendReservation: row,
    user: user === null ? null : { ...user, created: row.created === true },
  };
}

export interface CodeRequestOutcome {
  sendReservation: SendReservationRow;
  /** Null when there is no such account or the send cap refused the request. */
  user: LockedUser | null;
}

/**
 * One statement: take a send slot for the address (whether or not an account
 * exists, so the cap's answers reveal nothing) and, if granted, find and lock
 * the account for the rest of the transaction.
 */
export async function reserveSendAndLockUser(
  tx: Executor,
  params: SendReservationParams & { email: string },
): Promise<CodeRequestOutcome> {
  const rows = await queryRows<SendReservationRow & UserRow>(
    tx,
    sql`WITH ${sendReservationCtes(params)},
    account AS (
      SELECT id, email, is_verified, locale FROM users
      WHERE lower(email) = ${params.email} AND EXISTS (SELECT 1 FROM send_reserved)
      FOR UPDATE
    )
    SELECT ${sendReservationColumns}, a.id, a.email, a.is_verified, a.locale
    FROM (SELECT 1) AS one LEFT JOIN account a ON true`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("code request statement returned no row");
  return { sendReservation: row, user: toLockedUser(row) };
}

/** An account's address by id (no lock), or null. */
export async function findUserEmail(executor: Executor, userId: string): Promise<string | null> {
  const rows = await queryRows<{ email: string }>(
    executor,
    sql`SELECT email FROM users WHERE id = ${userId}::uuid`,
  );
  return rows[0]?.email ?? null;
}

/** Locks an account by id for the rest of the transaction. */
export async function lockUserById(tx: Executor, userId: string): Promise<LockedUser | null> {
  const rows = await queryRows<UserRow>(
    tx,
    sql`SELECT id, email, is_verified, locale FROM users WHERE id = ${userId}::uuid FOR UPDATE`,
  );
  return toLockedUser(rows[0]);
}

export interface EmailChangeRequestOutcome {
  sendReservation: SendReservationRow;
  /** The signed-in account, locked; null when the send cap refused. */
  user: LockedUser | null;
  /** Whether another account already has the new address. */
  taken: boolean;
}

/**
 * One statement: take a send slot for the NEW address, lock the requesting
 * account, and tell whether the new address already belongs to an account.
 */
export async function reserveSendForEmailChange(
  tx: Executor,
  params: SendReservationParams & { userId: string; newEmail: string },
): Promise<EmailChangeRequestOutcome> {
  const rows = await queryRows<SendReservationRow & UserRow & { taken: boolean }>(
    tx,
    sql`WITH ${sendReservationCtes(params)},
    account AS (
      SELECT id, email, is_verified, locale FROM users
      WHERE id = ${params.userId}::uuid AND EXISTS (SELECT 1 FROM send_reserved)
      FOR UPDATE
    )
    SELECT ${sendReservationColumns}, a.id, a.email, a.is_verified, a.locale,
      EXISTS (SELECT 1 FROM users WHERE lower(email) = ${params.newEmail}) AS taken
    FROM (SELECT 1) AS one LEFT JOIN account a ON true`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error("email change statement returned no row");
  return { sendReservation: row, user: toLockedUser(row), taken: row.taken };
}

/** Sets an account's language (`users.locale`); whether the account exists. */
export async function setUserLocale(
  executor: Executor,
  p: { userId: string; locale: string; now: Date },
): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    executor,
    sql`UPDATE users SET locale = ${p.locale}, updated_at = ${isoTimestamp(p.now)}::timestamptz
      WHERE id = ${p.userId}::uuid RETURNING id`,
  );
  return rows.length > 0;
}
