/**
 * What the service's tests read from (or plant in) the database to check it, each statement
 * named for what it reads or sets, so no file under service/ writes SQL (issue 22: every
 * statement lives in repositories/, or here for test inspection). Not for production code.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { deriveKeys } from "../crypto/keys.js";
import type { DatabaseHandle } from "../db/client.js";
import { queryRows } from "../db/rows.js";
import { hashCode } from "../rules/code-hash.js";
import type { CodeType } from "../rules/code-types.js";
import type { TestDatabase } from "./index.js";

async function count(database: TestDatabase, statement: ReturnType<typeof sql>): Promise<number> {
  return (await queryRows<{ n: number }>(database.db, statement))[0]?.n ?? 0;
}

/** How many sessions exist. */
export async function sessionCount(database: TestDatabase): Promise<number> {
  return count(database, sql`SELECT count(*)::int AS n FROM sessions`);
}

/** Every session's id, in id order. */
export async function sessionIds(database: TestDatabase) {
  return queryRows<{ id: string }>(database.db, sql`SELECT id FROM sessions ORDER BY id`);
}

/** Every session's stored token hash. */
export async function sessionTokenHashes(database: TestDatabase) {
  return queryRows<{ token_hash: string }>(database.db, sql`SELECT token_hash FROM sessions`);
}

/**
 * Plants a session of `userId` straight into the table, past the service: how a test
 * stands for a session an attacker might hold by a way the service does not offer.
 */
export async function plantSession(
  database: TestDatabase,
  session: { userId: string; tokenHash: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await database.db.execute(
    sql`INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at)
        VALUES (${randomUUID()}::uuid, ${session.userId}::uuid, ${session.tokenHash},
          ${session.createdAt.toISOString()}::timestamptz, ${session.expiresAt.toISOString()}::timestamptz)`,
  );
}

/** For each (user, code type) with a live code, how many live codes it has. */
export async function liveCodeCounts(database: TestDatabase): Promise<number[]> {
  const rows = await queryRows<{ n: number }>(
    database.db,
    sql`SELECT count(*)::int AS n FROM passcodes WHERE is_used = false GROUP BY user_id, code_type`,
  );
  return rows.map((row) => row.n);
}

/** Every code's id, link hash and code hash. */
export async function passcodeHashes(database: TestDatabase) {
  return queryRows<{ id: string; link_hash: string; code_hash: string }>(
    database.db,
    sql`SELECT id, link_hash, code_hash FROM passcodes`,
  );
}

/** Every code's link state (its hash, whether used, when), in id order. */
export async function passcodeLinkRows(database: TestDatabase) {
  return queryRows(
    database.db,
    sql`SELECT id, link_hash, is_used, used_at FROM passcodes ORDER BY id`,
  );
}

/** Every per-code failure budget row, by user then code type. */
export async function attemptRows(database: TestDatabase) {
  return queryRows(
    database.db,
    sql`SELECT user_id, code_type::text AS code_type, failures FROM otp_attempts ORDER BY 1, 2`,
  );
}

/** The failures counted against the (first) code of `codeType`, 0 when none. */
export async function failuresOfCodeType(
  database: TestDatabase,
  codeType: string,
): Promise<number> {
  const rows = await queryRows<{ failures: number }>(
    database.db,
    sql`SELECT failures FROM otp_attempts WHERE code_type = ${codeType}::code_type`,
  );
  return rows[0]?.failures ?? 0;
}

/** Every account's consecutive-failure count, by recipient key. */
export async function accountFailureRows(database: TestDatabase) {
  return queryRows(
    database.db,
    sql`SELECT recipient_key, consecutive_failures FROM account_failures ORDER BY 1`,
  );
}

/** The highest consecutive-failure count of any account, 0 when none. */
export async function maxConsecutiveFailures(database: TestDatabase): Promise<number> {
  return count(
    database,
    sql`SELECT coalesce(max(consecutive_failures), 0)::int AS n FROM account_failures`,
  );
}

/** The stored unlock token hash of every locked account that has one. */
export async function unlockTokenHashes(database: TestDatabase) {
  return queryRows<{ unlock_token_hash: string }>(
    database.db,
    sql`SELECT unlock_token_hash FROM account_failures WHERE unlock_token_hash IS NOT NULL`,
  );
}

/** Every security event's id and type, in id order. */
export async function securityEventRows(database: TestDatabase) {
  return queryRows(
    database.db,
    sql`SELECT id, type::text AS type FROM security_events ORDER BY id`,
  );
}

/** The security events of type `type`, with what each adds (`detail`). */
export async function securityEventsOfType(database: TestDatabase, type: string) {
  return queryRows<{ type: string; detail: unknown }>(
    database.db,
    sql`SELECT type::text AS type, detail FROM security_events WHERE type = ${type}`,
  );
}

/** The client (IP and User-Agent) of each security event of type `type` on the account of `email`. */
export async function securityEventClients(database: TestDatabase, type: string, email: string) {
  return queryRows<{ ip: string; user_agent: string }>(
    database.db,
    sql`SELECT e.ip, e.user_agent FROM security_events e JOIN users u ON u.id = e.user_id
        WHERE e.type = ${type} AND lower(u.email) = ${email}`,
  );
}

/** How many outbox rows of `kind` were queued. */
export async function outboxCountOfKind(database: TestDatabase, kind: string): Promise<number> {
  return count(database, sql`SELECT count(*)::int AS n FROM email_outbox WHERE kind = ${kind}`);
}

/** The locale stored for the account of `email` (compared lower-cased), if any. */
export async function userLocale(database: TestDatabase, email: string) {
  return (
    await queryRows<{ locale: string }>(
      database.db,
      sql`SELECT locale FROM users WHERE lower(email) = ${email}`,
    )
  )[0]?.locale;
}

/** The address of every account, as stored. */
export async function userEmails(database: TestDatabase): Promise<string[]> {
  const rows = await queryRows<{ email: string }>(database.db, sql`SELECT email FROM users`);
  return rows.map((row) => row.email);
}

/** Deletes the account stored under exactly `email`, past the service. */
export async function deleteUser(database: TestDatabase, email: string): Promise<void> {
  await database.db.execute(sql`DELETE FROM users WHERE email = ${email}`);
}

/** Every session's client (IP and User-Agent). */
export async function sessionClients(database: TestDatabase) {
  return queryRows<{ ip: string; user_agent: string }>(
    database.db,
    sql`SELECT ip, user_agent FROM sessions`,
  );
}

/** The (first) session's last-seen time of day in UTC (`HH24:MI:SS`), if any session exists. */
export async function sessionLastSeenUtc(database: TestDatabase): Promise<string | undefined> {
  const rows = await queryRows<{ at: string }>(
    database.db,
    sql`SELECT to_char(last_seen_at AT TIME ZONE 'UTC', 'HH24:MI:SS') AS at FROM sessions`,
  );
  return rows[0]?.at;
}

/** How many security events exist. */
export async function securityEventCount(database: TestDatabase): Promise<number> {
  return count(database, sql`SELECT count(*)::int AS n FROM security_events`);
}

/** The types of the security events of the account stored under `email`, oldest first. */
export async function securityEventTypesOf(
  database: TestDatabase,
  email: string,
): Promise<string[]> {
  const rows = await queryRows<{ type: string }>(
    database.db,
    sql`SELECT e.type FROM security_events e JOIN users u ON u.id = e.user_id
        WHERE u.email = ${email} ORDER BY e.created_at, e.type`,
  );
  return rows.map((row) => row.type);
}

/** Every security event's type and client (IP and User-Agent); only those of `type` when given. */
export async function securityEventContexts(database: TestDatabase, type?: string) {
  return queryRows<{ type: string; ip: string; user_agent: string }>(
    database.db,
    type === undefined
      ? sql`SELECT type, ip, user_agent FROM security_events`
      : sql`SELECT type, ip, user_agent FROM security_events WHERE type = ${type}`,
  );
}

/** How many known devices are remembered. */
export async function knownDeviceCount(database: TestDatabase): Promise<number> {
  return count(database, sql`SELECT count(*)::int AS n FROM known_devices`);
}

/** Every known device's stored hash. */
export async function knownDeviceHashes(database: TestDatabase): Promise<string[]> {
  const rows = await queryRows<{ device_hash: string }>(
    database.db,
    sql`SELECT device_hash FROM known_devices`,
  );
  return rows.map((row) => row.device_hash);
}

/**
 * The live code of `email` (for a code type), read as its owner would: from the emails
 * `sent()` returns, the one whose code matches the live passcode's hash. Waits for
 * delivery (up to 15 s), and skips earlier emails whose code has since been replaced.
 */
export async function deliveredLiveCode(
  handle: DatabaseHandle,
  secret: string,
  sent: () => readonly { to: string; meta?: { code?: string } | undefined }[],
  email: string,
  codeType: CodeType = "VERIFICATION",
): Promise<string> {
  const key = deriveKeys(secret).codeHmac;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [live] = await queryRows<{ user_id: string; code_hash: string }>(
      handle.db,
      sql`SELECT p.user_id, p.code_hash FROM passcodes p JOIN users u ON u.id = p.user_id
          WHERE (u.email = ${email} OR p.new_email = ${email})
            AND p.code_type = ${codeType}::code_type AND p.is_used = false`,
    );
    if (live !== undefined) {
      for (const message of sent()) {
        const code = message.meta?.code;
        if (message.to !== email || code === undefined) continue;
        if (hashCode(key, { userId: live.user_id, codeType, code }) === live.code_hash) return code;
      }
    }
    if (Date.now() > deadline) throw new Error(`no delivered ${codeType} code for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
