/**
 * The big database of `pnpm bench:scale` (src/scale.ts), filled with set-based
 * SQL (`INSERT ... SELECT ... FROM generate_series`), one statement per table,
 * then VACUUM ANALYZE as a live database would have statistics. Nothing is
 * switched off that a real database has: every index and constraint is there
 * while the rows go in (random keys are inserted in key order, which is what
 * makes it fast). At scale 1: 1,000,000 accounts, 1,000,000 used codes (and
 * expired unused ones for 10% of accounts), 5,000,000 finished outbox rows over the
 * last 14 days, 1,000,000 sessions and 1,000,000 limit rows (send caps and
 * attempt windows), skewed towards a hot set of accounts; and what else a year
 * of use leaves: 1,000,000 known devices, 2,000,000 security events, 200,000
 * failure counters of addresses and 100,000 of addresses without an account.
 */
import type { Sql } from "postgres";
import { log } from "./harness.js";

export interface FillSizes {
  users: number;
  usedCodes: number;
  unusedCodes: number;
  outbox: number;
  sessions: number;
  sendLimits: number;
  attemptWindows: number;
  /** known_devices: one device per account. */
  devices: number;
  /** security_events over 120 days (a quarter past the 90-day retention). */
  securityEvents: number;
  /** account_failures: addresses with failed passwords or codes. */
  accountFailures: number;
  /** address_attempts: failed codes against addresses without an account. */
  addressAttempts: number;
}

export function fillSizes(scale: number): FillSizes {
  const n = (full: number) => Math.max(1, Math.round(full * scale));
  return {
    users: n(1_000_000),
    usedCodes: n(1_000_000),
    unusedCodes: n(100_000),
    outbox: n(5_000_000),
    sessions: n(1_000_000),
    sendLimits: n(600_000),
    attemptWindows: n(400_000),
    devices: n(1_000_000),
    securityEvents: n(2_000_000),
    accountFailures: n(200_000),
    addressAttempts: n(100_000),
  };
}

/**
 * The account behind row `i` of a filled table: `users` are numbered 1..N and
 * their ids derived from the number (md5), so other tables find them without a
 * join. `skewed` picks from a hot set: random()^3 puts about half of the rows
 * on the first 12% of accounts.
 */
const USER_ID = (index: string) => `md5('u' || (${index})::text)::uuid`;
const SKEWED_USER = (n: number) => `(1 + floor(${n} * power(random(), 3)))::bigint`;

/** What one filled table took (ms) and how many rows it has. */
export interface FillTiming {
  table: string;
  rows: number;
  ms: number;
}

export async function fillBigDatabase(
  sql: Sql,
  sizes: FillSizes,
  passwordHash: string,
): Promise<FillTiming[]> {
  const timings: FillTiming[] = [];
  const step = async (table: string, rows: number, statement: string) => {
    const started = performance.now();
    await sql.unsafe(statement);
    const ms = performance.now() - started;
    timings.push({ table, rows, ms });
    log(`  filled ${table}: ${rows.toLocaleString("en")} rows in ${(ms / 1000).toFixed(1)} s`);
  };
  const u = sizes.users;
  await sql`SET work_mem = '256MB'`;
  await sql`SET maintenance_work_mem = '512MB'`;

  // 95% verified, created over the last year, one password hash for all (argon2id of a known text).
  await step(
    "users",
    u,
    `INSERT INTO users (id, email, password_hash, is_verified, created_at, updated_at, verified_at)
     SELECT id, email, ${literal(passwordHash)}, verified, created, created,
       CASE WHEN verified THEN created + interval '5 minutes' END
     FROM (
       SELECT ${USER_ID("i")} AS id, 'scale-' || i || '@example.com' AS email,
         (i % 20 <> 0) AS verified, now() - random() * interval '365 days' AS created
       FROM generate_series(1, ${u}) AS i
     ) AS t ORDER BY id`,
  );

  // Used codes of every type, mostly the hot set's; created over 30 days, so all expired too.
  await step(
    "passcodes (used)",
    sizes.usedCodes,
    `INSERT INTO passcodes (id, user_id, code_type, code_hash, is_used, expires_at, created_at, used_at)
     SELECT gen_random_uuid() AS id, ${USER_ID(SKEWED_USER(u))},
       (ARRAY['VERIFICATION','PASSWORD_RESET','SIGN_IN','EMAIL_CHANGE']::code_type[])[1 + (i % 10 + i % 3) % 4],
       encode(sha256(('c' || i)::bytea), 'hex'), true, created + interval '10 minutes', created,
       created + interval '1 minute'
     FROM (SELECT i, now() - random() * interval '30 days' AS created
           FROM generate_series(1, ${sizes.usedCodes}) AS i) AS t
     ORDER BY id`,
  );
  // Unused codes: one SIGN_IN code for every tenth account (the unique partial index allows one
  // per account and type), issued over the last day and expired (never entered).
  await step(
    "passcodes (unused)",
    sizes.unusedCodes,
    `INSERT INTO passcodes (id, user_id, code_type, code_hash, is_used, expires_at, created_at)
     SELECT gen_random_uuid(), ${USER_ID("i * 10")}, 'SIGN_IN', encode(sha256(('n' || i)::bytea), 'hex'),
       false, created + interval '10 minutes', created
     FROM (SELECT i, now() - interval '15 minutes' - random() * interval '1 day' AS created
           FROM generate_series(1, ${Math.min(sizes.unusedCodes, Math.floor(u / 10))}) AS i) AS t
     ORDER BY 1`,
  );

  // Finished emails over the last 14 days (half past the default 7-day retention): mostly sent.
  await step(
    "email_outbox",
    sizes.outbox,
    `INSERT INTO email_outbox (id, kind, payload, passcode_id, status, attempts, available_at,
       expires_at, created_at, sent_at, last_error)
     SELECT gen_random_uuid() AS id,
       (ARRAY['VERIFICATION_CODE','SIGN_IN_CODE','PASSWORD_RESET_CODE','NEW_SIGN_IN'])[1 + i % 4],
       NULL, CASE WHEN i % 4 = 3 THEN NULL ELSE gen_random_uuid() END, status, 1, created,
       created + interval '10 minutes', created,
       CASE WHEN status = 'SENT' THEN created + interval '1 second' END,
       CASE WHEN status = 'SENT' THEN NULL ELSE 'bench fill' END
     FROM (
       SELECT i, now() - random() * interval '14 days' AS created,
         (CASE WHEN i % 100 < 90 THEN 'SENT' WHEN i % 100 < 97 THEN 'SUPERSEDED'
           WHEN i % 100 < 99 THEN 'EXPIRED' ELSE 'FAILED' END)::outbox_status AS status
       FROM generate_series(1, ${sizes.outbox}) AS i
     ) AS t ORDER BY id`,
  );

  // Sessions of the hot set, created over 40 days with a 30-day life: about a quarter expired.
  await step(
    "sessions",
    sizes.sessions,
    `INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, last_seen_at, ip, user_agent)
     SELECT gen_random_uuid() AS id, ${USER_ID(SKEWED_USER(u))},
       encode(sha256(('s' || i)::bytea), 'hex'), created, created + interval '30 days',
       created + random() * interval '1 day', '192.0.2.' || (i % 250),
       'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0'
     FROM (SELECT i, now() - random() * interval '40 days' AS created
           FROM generate_series(1, ${sizes.sessions}) AS i) AS t
     ORDER BY id`,
  );

  // Send caps per address (an HMAC in real rows) and attempt windows per account and type, over
  // the last 2 days: most windows are over, as between two cleanups.
  await step(
    "send_limits",
    sizes.sendLimits,
    `INSERT INTO send_limits (recipient_key, window_started_at, sent_count, last_sent_at)
     SELECT key, started, 1 + i % 5, started + interval '1 minute'
     FROM (SELECT i, encode(sha256(('r' || i)::bytea), 'hex') AS key,
             now() - random() * interval '2 days' AS started
           FROM generate_series(1, ${sizes.sendLimits}) AS i) AS t
     ORDER BY key`,
  );
  const windows = Math.min(sizes.attemptWindows, 4 * u);
  await step(
    "otp_attempts",
    windows,
    `INSERT INTO otp_attempts (user_id, code_type, window_started_at, failures)
     SELECT ${USER_ID(`1 + (i % ${u})`)} AS user_id,
       (ARRAY['VERIFICATION','PASSWORD_RESET','SIGN_IN','EMAIL_CHANGE']::code_type[])[1 + (i / ${u}) % 4],
       now() - random() * interval '2 days', 1 + i % 5
     FROM generate_series(0, ${windows - 1}) AS i
     ORDER BY 1, 2`,
  );

  // What a year of use also leaves: a device per account, the accounts' security events, and
  // failure counters of addresses with and without an account. Filled (not left empty) so no
  // table is analysed as empty: a generic plan made while the statistics say a table is empty
  // scans it sequentially as it grows, until it is analysed again (README, "Operations").
  await step(
    "known_devices",
    Math.min(sizes.devices, u),
    `INSERT INTO known_devices (user_id, device_hash, first_seen_at)
     SELECT ${USER_ID("i")}, encode(sha256(('d' || i)::bytea), 'hex'),
       now() - random() * interval '365 days'
     FROM generate_series(1, ${Math.min(sizes.devices, u)}) AS i
     ORDER BY 1, 2`,
  );
  await step(
    "security_events",
    sizes.securityEvents,
    `INSERT INTO security_events (id, user_id, type, detail, created_at, ip, user_agent)
     SELECT gen_random_uuid(), ${USER_ID(SKEWED_USER(u))},
       (ARRAY['SIGNED_IN','EMAIL_VERIFIED','PASSWORD_CHANGED','SIGNED_OUT'])[1 + i % 4], NULL,
       now() - random() * interval '120 days', '192.0.2.' || (i % 250),
       'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0'
     FROM generate_series(1, ${sizes.securityEvents}) AS i
     ORDER BY 1`,
  );
  await step(
    "account_failures",
    sizes.accountFailures,
    `INSERT INTO account_failures (recipient_key, password_window_started_at, password_failures,
       consecutive_failures)
     SELECT encode(sha256(('f' || i)::bytea), 'hex'), now() - random() * interval '2 days',
       i % 5, i % 4
     FROM generate_series(1, ${sizes.accountFailures}) AS i
     ORDER BY 1`,
  );
  await step(
    "address_attempts",
    sizes.addressAttempts,
    `INSERT INTO address_attempts (recipient_key, code_type, window_started_at, failures)
     SELECT encode(sha256(('a' || i)::bytea), 'hex'), 'SIGN_IN', now() - random() * interval '2 days',
       1 + i % 5
     FROM generate_series(1, ${sizes.addressAttempts}) AS i
     ORDER BY 1`,
  );

  const started = performance.now();
  await sql`VACUUM ANALYZE`;
  await sql`CHECKPOINT`;
  const ms = performance.now() - started;
  timings.push({ table: "VACUUM ANALYZE + CHECKPOINT", rows: 0, ms });
  log(`  VACUUM ANALYZE + CHECKPOINT in ${(ms / 1000).toFixed(1)} s`);
  return timings;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
