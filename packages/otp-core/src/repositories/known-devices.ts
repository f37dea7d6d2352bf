/**
 * The devices an account has used, by the hash of their device cookie. A
 * sign-in adds its device in the same statement as its session; only when
 * the device was new does that statement also queue the "new sign-in" notice.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import type { QueuedNotice } from "./passcode-effects.js";

/**
 * CTEs that add the device to each account of `source` (a query with a
 * `user_id` column) and, with `notice`, queue it once per account that had
 * not seen the device: `new_device` (the accounts it was new to) and
 * `new_device_notice`. Read `SELECT count(*) FROM new_device` to know.
 */
export function rememberDeviceCtes(p: {
  source: SQL;
  deviceHash: string;
  now: Date;
  notice?: QueuedNotice;
}): SQL {
  const at = isoTimestamp(p.now);
  const added = sql`new_device AS (
    INSERT INTO known_devices (user_id, device_hash, first_seen_at)
    SELECT source.user_id, ${p.deviceHash}, ${at}::timestamptz FROM (${p.source}) AS source
    ON CONFLICT (user_id, device_hash) DO NOTHING
    RETURNING user_id
  )`;
  if (p.notice === undefined) return added;
  return sql`${added},
  new_device_notice AS (
    INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at, created_at,
      trace_context)
    SELECT ${p.notice.id}::uuid, ${p.notice.kind}, ${p.notice.payload}::bytea, NULL, 'PENDING',
      ${at}::timestamptz, NULL, ${at}::timestamptz, ${p.notice.traceContext}::text
    FROM new_device
    RETURNING id
  )`;
}

/** The extra column that says whether the device was new (and so whether a notice was queued). */
export const newDeviceExtra = sql`(SELECT count(*) FROM new_device)::int AS "newDevices"`;

/**
 * The hash of `known_devices` for a device token, computed in the statement
 * from the account's id: `deviceTokenHash` (rules/device-token.ts) in SQL.
 */
function deviceHashOf(userId: SQL, token: string): SQL {
  return sql`encode(sha256(convert_to(${userId}::text || ':' || ${token}::text, 'UTF8')), 'hex')`;
}

/**
 * The hash of the device, if the account (by address or id) has signed in
 * from it and not revoked it since: the device then has budgets of its own
 * (ADR 20). One read, the same statement for every address, with or without
 * an account; null otherwise.
 */
export async function findKnownDevice(
  executor: Executor,
  p: { account: { email: string } | { userId: string }; token: string },
): Promise<string | null> {
  const rows = await queryRows<{ device_hash: string }>(
    executor,
    sql`SELECT d.device_hash FROM users u
      JOIN known_devices d ON d.user_id = u.id AND d.device_hash = ${deviceHashOf(sql`u.id`, p.token)}
      WHERE ${"email" in p.account ? sql`lower(u.email) = ${p.account.email}` : sql`u.id = ${p.account.userId}::uuid`}`,
  );
  return rows[0]?.device_hash ?? null;
}

/**
 * A CTE (`name`) that revokes the devices of each account of `source` (a query
 * with a `user_id` column), but `keep` (the hash of the device making the
 * request, which has just proven itself): they lose their own budgets and
 * count as new again at their next sign-in. Goes with ending the account's
 * sessions (ADR 20).
 */
export function forgetDevicesCte(name: string, source: SQL, keep: string | null): SQL {
  return sql`${sql.raw(name)} AS (
    DELETE FROM known_devices
    WHERE user_id IN (${source}) AND device_hash IS DISTINCT FROM ${keep}::text
    RETURNING 1
  )`;
}
