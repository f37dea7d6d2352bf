/**
 * A fresh database per scenario on the real PostgreSQL server, the invariant
 * queries every scenario ends with, and the scan of every stored text and
 * bytea value for plaintext codes.
 */
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createTestDatabase, type TestDatabase } from "@otp/core/testing";
import postgres from "postgres";
import { RUN_SECRETS, SERVER_URL } from "./environment.js";
import { waitFor } from "./http.js";
import { DATABASES_FILE } from "./paths.js";

export interface ScenarioDatabase {
  /** The fresh database's URL with a (dummy, trust-auth) password the log scan looks for. */
  url: string;
  host: string;
  port: number;
  name: string;
  /** A small pool of the test's own, for assertions. */
  sql: postgres.Sql;
  /** `url` with its host and port replaced (to route the API through the proxy). */
  urlVia(port: number): string;
  close(): Promise<void>;
}

export async function createScenarioDatabase(): Promise<ScenarioDatabase> {
  if (SERVER_URL === undefined) throw new Error("no PostgreSQL server");
  const handle: TestDatabase = await createTestDatabase("postgres", SERVER_URL, { poolSize: 2 });
  const plain = new URL(handle.url ?? "");
  // Dropped in close(); listed so that a run killed before it can be cleaned up after.
  appendFileSync(DATABASES_FILE, `${plain.pathname.slice(1)}\n`);
  const withPassword = new URL(plain);
  withPassword.password = RUN_SECRETS.databasePassword;
  const sql = postgres(plain.toString(), { max: 4, onnotice: () => {} });
  return {
    url: withPassword.toString(),
    host: plain.hostname,
    port: Number(plain.port || 5432),
    name: plain.pathname.slice(1),
    sql,
    urlVia(port) {
      const via = new URL(withPassword);
      via.port = String(port);
      return via.toString();
    },
    async close() {
      await sql.end({ timeout: 5 });
      await handle.close(); // drops the database (WITH FORCE)
    },
  };
}

export interface InvariantReport {
  /** (user, code type) pairs with more than one unused code. */
  pairsWithSeveralUnusedCodes: number;
  /** (user, code type) pairs with more than one code at all (issuing deletes every earlier one). */
  pairsWithSeveralCodes: number;
  /**
   * Verified accounts without a used code. Since ADR 7 a sign-in, password-reset
   * or email-change code proves the address too, so any used code counts; those
   * verified without a used VERIFICATION code are counted in `totals`.
   */
  verifiedWithoutUsedCode: number;
  /** Used VERIFICATION codes whose account is not verified (a code spent without its effect). */
  usedCodeWithoutEffect: number;
  /** Accounts with no VERIFICATION code at all (an account created without its code). */
  accountsWithoutCode: number;
  /** Codes with no outbox row (a code issued without its email being recorded). */
  codesWithoutEmail: number;
  /** PENDING rows without a payload, or settled rows still holding one. */
  outboxPayloadMismatch: number;
  /** Attempt counters outside [0, max]. */
  attemptCountersOutOfRange: number;
  totals: {
    users: number;
    verified: number;
    /** Verified by a code of another type than VERIFICATION (allowed since ADR 7). */
    verifiedByAnotherCodeType: number;
    passcodes: number;
    outbox: number;
  };
}

/** The invariants, each as a count of violations (all must be 0). */
export async function checkInvariants(
  sql: postgres.Sql,
  maxFailedAttempts = 5,
): Promise<InvariantReport> {
  const [row] = await sql<
    Array<
      Omit<InvariantReport, "totals"> & {
        users: number;
        verified: number;
        verifiedByAnotherCodeType: number;
        passcodes: number;
        outbox: number;
      }
    >
  >`
    SELECT
      (SELECT count(*) FROM (SELECT 1 FROM passcodes WHERE is_used = false
         GROUP BY user_id, code_type HAVING count(*) > 1) x)::int AS "pairsWithSeveralUnusedCodes",
      (SELECT count(*) FROM (SELECT 1 FROM passcodes
         GROUP BY user_id, code_type HAVING count(*) > 1) x)::int AS "pairsWithSeveralCodes",
      (SELECT count(*) FROM users u WHERE u.is_verified AND NOT EXISTS (
         SELECT 1 FROM passcodes p WHERE p.user_id = u.id AND p.is_used))::int
         AS "verifiedWithoutUsedCode",
      (SELECT count(*) FROM users u WHERE u.is_verified AND NOT EXISTS (
         SELECT 1 FROM passcodes p WHERE p.user_id = u.id AND p.code_type = 'VERIFICATION'
           AND p.is_used))::int AS "verifiedByAnotherCodeType",
      (SELECT count(*) FROM passcodes p JOIN users u ON u.id = p.user_id
         WHERE p.code_type = 'VERIFICATION' AND p.is_used AND NOT u.is_verified)::int
         AS "usedCodeWithoutEffect",
      (SELECT count(*) FROM users u WHERE NOT EXISTS (
         SELECT 1 FROM passcodes p WHERE p.user_id = u.id AND p.code_type = 'VERIFICATION'))::int
         AS "accountsWithoutCode",
      (SELECT count(*) FROM passcodes p WHERE NOT EXISTS (
         SELECT 1 FROM email_outbox o WHERE o.passcode_id = p.id))::int AS "codesWithoutEmail",
      (SELECT count(*) FROM email_outbox WHERE (status = 'PENDING') <> (payload IS NOT NULL))::int
         AS "outboxPayloadMismatch",
      (SELECT count(*) FROM otp_attempts WHERE failures < 0 OR failures > ${maxFailedAttempts})::int
         AS "attemptCountersOutOfRange",
      (SELECT count(*) FROM users)::int AS users,
      (SELECT count(*) FROM users WHERE is_verified)::int AS verified,
      (SELECT count(*) FROM passcodes)::int AS passcodes,
      (SELECT count(*) FROM email_outbox)::int AS outbox`;
  if (row === undefined) throw new Error("invariant query returned nothing");
  const { users, verified, verifiedByAnotherCodeType, passcodes, outbox, ...violations } = row;
  return {
    ...violations,
    totals: { users, verified, verifiedByAnotherCodeType, passcodes, outbox },
  };
}

/** The violation counts alone, for `expect(...).toEqual(NO_VIOLATIONS)`. */
export function violationsOf(report: InvariantReport): Omit<InvariantReport, "totals"> {
  const { totals: _totals, ...violations } = report;
  return violations;
}

export const NO_VIOLATIONS: Omit<InvariantReport, "totals"> = {
  pairsWithSeveralUnusedCodes: 0,
  pairsWithSeveralCodes: 0,
  verifiedWithoutUsedCode: 0,
  usedCodeWithoutEffect: 0,
  accountsWithoutCode: 0,
  codesWithoutEmail: 0,
  outboxPayloadMismatch: 0,
  attemptCountersOutOfRange: 0,
};

export interface PlaintextHit {
  table: string;
  column: string;
  /** The secret, shortened. */
  needle: string;
  form: "plaintext" | "sha256" | "session token";
}

export interface PlaintextScan {
  columnsScanned: string[];
  rowsScanned: number;
  needles: number;
  tokens: number;
  hits: PlaintextHit[];
}

/**
 * Looks for each code in every text-like and bytea column of the public
 * schema, as a whole digit run (values that are 64-hex-digit digests are
 * skipped for this: a digit run inside one is chance), and for its unkeyed
 * SHA-256 (a weak "hash" would be as good as plaintext for 10^8 codes); and
 * for each session token as is.
 */
export async function scanForPlaintextCodes(
  sql: postgres.Sql,
  codes: readonly string[],
  sessionTokens: readonly string[] = [],
): Promise<PlaintextScan> {
  const columns = await sql<Array<{ table_name: string; column_name: string; data_type: string }>>`
    SELECT c.table_name, c.column_name, c.data_type
    FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.table_name NOT LIKE '%drizzle%'
      AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'USER-DEFINED')
    ORDER BY c.table_name, c.column_name`;
  const unique = [...new Set(codes)];
  const digests = unique.map((code) => createHash("sha256").update(code).digest("hex"));
  const hits: PlaintextHit[] = [];
  let rowsScanned = 0;
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const rows = await sql<Array<{ value: string | null }>>`
      SELECT ${type === "bytea" ? sql`encode(${sql(column)}, 'escape')` : sql`${sql(column)}::text`} AS value
      FROM ${sql(table)}`;
    rowsScanned += rows.length;
    for (const { value } of rows) {
      if (value === null) continue;
      // A 64-hex-digit value is a digest: a digit run inside it is chance, not a stored code.
      const isDigest = /^[0-9a-f]{64}$/.test(value);
      const digitRuns = new Set(isDigest ? [] : (value.match(/\d+/g) ?? []));
      for (const code of unique) {
        if (digitRuns.has(code))
          hits.push({ table, column, needle: `${code.slice(0, 3)}…`, form: "plaintext" });
      }
      // Session tokens are stored as their SHA-256 (a hash of a random token is safe); never as is.
      for (const token of sessionTokens) {
        if (value.includes(token))
          hits.push({ table, column, needle: `${token.slice(0, 4)}…`, form: "session token" });
      }
      for (const [index, digest] of digests.entries()) {
        if (value.includes(digest)) {
          hits.push({
            table,
            column,
            needle: `${(unique[index] ?? "").slice(0, 3)}…`,
            form: "sha256",
          });
        }
      }
    }
  }
  return {
    columnsScanned: columns.map((c) => `${c.table_name}.${c.column_name}`),
    rowsScanned,
    needles: unique.length,
    tokens: sessionTokens.length,
    hits,
  };
}

/**
 * Rows a dead process claimed (or whose settling failed) wait out their lease:
 * move it on instead of sleeping, and wake the live dispatcher. Returns how
 * many rows were moved.
 */
export async function releaseOutboxLeases(db: ScenarioDatabase): Promise<number> {
  const [moved] = await db.sql<Array<{ n: number }>>`
    WITH moved AS (UPDATE email_outbox SET available_at = now()
      WHERE status = 'PENDING' AND available_at > now() RETURNING 1)
    SELECT count(*)::int AS n FROM moved`;
  await db.sql`SELECT pg_notify('email_outbox', '')`;
  return moved?.n ?? 0;
}

/** Waits until no outbox row is PENDING; resolves with the rows by status. */
export function waitForOutboxSettled(
  db: ScenarioDatabase,
  description: string,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<Record<string, number>> {
  return waitFor(
    description,
    async () => {
      const rows = await db.sql<Array<{ status: string; n: number }>>`
        SELECT status::text AS status, count(*)::int AS n FROM email_outbox GROUP BY status`;
      const byStatus: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      return (byStatus.PENDING ?? 0) === 0 ? byStatus : null;
    },
    options,
  );
}
