/**
 * Test support shared by every package's tests: databases on PGlite and on a
 * real PostgreSQL server (a fresh database per call, dropped on close), and a
 * reader for the codes sealed in the outbox. Not for production code, and not what an app
 * embedding the product reads its codes with: that is `createMemoryTransport` of `@otp/email`,
 * which records what delivery sent (this reads what the service queued, delivered or not).
 */
import { randomBytes } from "node:crypto";
import { EMAILS } from "@otp/email/kinds";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { deriveKeys } from "../crypto/keys.js";
import { createDatabase, type DatabaseHandle, type DatabaseOptions } from "../db/client.js";
import { queryRows } from "../db/rows.js";
import { listOutbox, type OutboxRow } from "../repositories/outbox.js";
import {
  NO_RECIPIENT_KIND,
  type OutboxPayload,
  openOutboxPayload,
} from "../service/outbox-payload.js";

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export type PostgresAvailability =
  | { available: true; url: string }
  | { available: false; reason: string };

/**
 * Whether the real-PostgreSQL suites can run. With CI=true an unreachable
 * server is an error, not a skip: CI must exercise the real server.
 */
export async function resolveTestPostgres(): Promise<PostgresAvailability> {
  const url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return { available: true, url };
  } catch (error) {
    const reason = `PostgreSQL at ${redactUrl(url)} is unreachable (${(error as Error).message}); set TEST_DATABASE_URL to run these tests`;
    if (process.env.CI === "true") {
      throw new Error(`${reason}. CI=true requires the real-PostgreSQL tests to run.`);
    }
    return { available: false, reason };
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

export type TestBackend = "pglite" | "postgres";

export interface TestDatabase extends DatabaseHandle {
  /** Deletes every row of every table (between tests). */
  reset(): Promise<void>;
  /** The URL of the fresh database (postgres backend only). */
  url: string | null;
}

/** A migrated, empty database: in-memory PGlite, or a new database on the server at `serverUrl`. */
export async function createTestDatabase(
  backend: TestBackend,
  serverUrl: string = DEFAULT_TEST_DATABASE_URL,
  options: { poolSize?: number; onWire?: DatabaseOptions["onWire"] } = {},
): Promise<TestDatabase> {
  if (backend === "pglite") {
    const handle = await createDatabase();
    await handle.migrate();
    return { ...handle, reset: () => truncateAll(handle), url: null };
  }
  const name = `otp_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({
    url: url.toString(),
    poolSize: options.poolSize ?? 20,
    onWire: options.onWire,
  });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    reset: () => truncateAll(handle),
    close: async () => {
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function truncateAll(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql`TRUNCATE users, passcodes, sessions, otp_attempts, address_attempts, send_limits, email_outbox, account_failures CASCADE`,
  );
}

export interface OpenedOutboxRow extends OutboxRow {
  message: OutboxPayload | null;
}

/**
 * Every outbox row with its payload decrypted, oldest first, but the decoys queued when nobody
 * got a code (NO_RECIPIENT_KIND: no email, and sealed with a key no one holds). Each payload is
 * checked against its kind's declaration in `@otp/email` (`EMAILS`), so a test that reads the
 * outbox fails when the service queues an email delivery would refuse.
 */
export async function readOutbox(
  handle: DatabaseHandle,
  secret: string,
): Promise<OpenedOutboxRow[]> {
  const key = deriveKeys(secret).outboxEncryption;
  const rows = (await listOutbox(handle.db)).filter((row) => row.kind !== NO_RECIPIENT_KIND);
  return rows.map((row) => {
    if (row.payload === null) return { ...row, message: null };
    const message = openOutboxPayload(key, row.id, row.payload);
    const declared = EMAILS[message.kind]?.safeParse(message);
    if (declared?.success !== true) {
      const fields = declared?.error.issues.map((issue) => issue.path.join(".")) ?? ["kind"];
      throw new Error(
        `outbox row ${row.id}: the ${message.kind} payload does not match its declaration in @otp/email (${fields.join(", ")})`,
      );
    }
    return { ...row, message };
  });
}

/**
 * The code in the queued email to `email` whose code is still live (the one
 * the recipient can use), or else the newest one.
 */
export async function latestCodeFor(
  handle: DatabaseHandle,
  secret: string,
  email: string,
  kind = "VERIFICATION_CODE",
): Promise<string> {
  const code = (await latestCodeEmail(handle, secret, email, kind))?.code;
  if (code === undefined) throw new Error(`no ${kind} email queued for ${email}`);
  return code;
}

/** The token of the link beside that code (`APP_URL/link#token=...`), the same email. */
export async function latestLinkFor(
  handle: DatabaseHandle,
  secret: string,
  email: string,
  kind = "VERIFICATION_CODE",
): Promise<string> {
  const token = (await latestCodeEmail(handle, secret, email, kind))?.linkToken;
  if (token === undefined) throw new Error(`no ${kind} email with a link queued for ${email}`);
  return token;
}

/** The payload of the email of the live code for `email` (else the latest such email). */
async function latestCodeEmail(
  handle: DatabaseHandle,
  secret: string,
  email: string,
  kind: string,
): Promise<OutboxPayload | undefined> {
  const rows = await readOutbox(handle, secret);
  const mine = rows.filter((row) => row.message?.to === email && row.kind === kind);
  const live = new Set(
    (
      await queryRows<{ id: string }>(
        handle.db,
        sql`SELECT id FROM passcodes WHERE is_used = false`,
      )
    ).map((row) => row.id),
  );
  const chosen =
    mine.find((row) => row.passcodeId !== null && live.has(row.passcodeId)) ?? mine.at(-1);
  return chosen?.message ?? undefined;
}

/** A well-formed wrong guess at `code`: the same length, its first digit changed. */
export function wrongCode(code: string): string {
  return code.replace(/^./, (digit) => String((Number(digit) + 1) % 10));
}

/**
 * The core's own drizzle `sql`, for tests of other packages: a second copy of
 * drizzle-orm in a package that also has @opentelemetry/api (prom-client brings
 * it) would be resolved with its tracing on, and its SQL objects would not type
 * against the core's.
 */
export { sql } from "drizzle-orm";
export * from "./harness.js";
export * from "./inspect.js";
export * from "./service-suite.js";
