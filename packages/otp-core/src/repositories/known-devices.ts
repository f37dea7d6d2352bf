/**
 * The devices an account has used, by the hash of their device cookie. A
 * sign-in adds its device in the same statement as its session; only when
 * the device was new does that statement also queue the "new sign-in" notice.
 */
import { type SQL, sql } from "drizzle-orm";
import { isoTimestamp } from "../db/rows.js";
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
