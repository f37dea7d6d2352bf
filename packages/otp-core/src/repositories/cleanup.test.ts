/** Cleanup in bounded batches: what goes, what stays, and that no statement deletes more than a batch. */
import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import { resolvePolicy } from "../rules/policy.js";
import {
  defineDatabaseSuite,
  resolveTestPostgres,
  T0,
  type TestBackend,
  type TestDatabase,
} from "../testing/index.js";
import { runCleanup } from "./cleanup.js";

const server = await resolveTestPostgres();
const backends: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];
if (!server.available)
  console.warn(`[otp-core] cleanup tests on PostgreSQL skipped: ${server.reason}`);

const DAY = 86_400_000;
const dialect = new PgDialect();
const policy = resolvePolicy({});

/** Passes every statement through and keeps the answer of each one that deletes. */
function recording(
  executor: Executor,
  answers: Array<{ table: string; deleted: number }>,
): Executor {
  return {
    execute: async (query: Parameters<Executor["execute"]>[0]) => {
      const result = await executor.execute(query);
      const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
      const text = dialect.sqlToQuery(query as SQL).sql;
      const table = /DELETE FROM (\w+)/.exec(text)?.[1];
      const row = rows[0] as { deleted?: number } | undefined;
      if (table !== undefined && row?.deleted !== undefined)
        answers.push({ table, deleted: row.deleted });
      return result;
    },
  } as Executor;
}

describe.each(backends)("cleanup in batches (%s)", (backend) => {
  let database: TestDatabase;
  defineDatabaseSuite(backend, server.available ? server.url : undefined, (suite) => {
    ({ database } = suite);
  });

  /** Everything cleanup deletes, two rows per statement; each deleting statement's count. */
  async function cleanUpInPairs() {
    const answers: Array<{ table: string; deleted: number }> = [];
    const counts = await runCleanup(recording(database.db, answers), {
      used: true,
      expired: true,
      olderThan: null,
      outboxRetentionDays: 7,
      now: T0,
      policy,
      batchSize: 2,
    });
    return { counts, answers };
  }

  async function outboxRow(status: string, ageDays: number): Promise<string> {
    const id = randomUUID();
    const at = isoTimestamp(new Date(T0.getTime() - ageDays * DAY));
    const payload = status === "PENDING" ? new Uint8Array([1]) : null;
    await database.db.execute(
      sql`INSERT INTO email_outbox (id, kind, payload, status, available_at, created_at)
          VALUES (${id}::uuid, 'verification', ${payload}::bytea, ${status}::outbox_status,
            ${at}::timestamptz, ${at}::timestamptz)`,
    );
    return id;
  }

  it("deletes finished emails past the retention two at a time; pending and recent ones stay", async () => {
    const old = [
      await outboxRow("SENT", 8),
      await outboxRow("FAILED", 9),
      await outboxRow("EXPIRED", 30),
      await outboxRow("SUPERSEDED", 7.5),
    ];
    const kept = [
      await outboxRow("PENDING", 10),
      await outboxRow("SENT", 6),
      await outboxRow("SUPERSEDED", 0),
    ];
    const { counts, answers } = await cleanUpInPairs();
    expect(counts.outboxDeleted).toBe(4);
    const outboxBatches = answers.filter((answer) => answer.table === "email_outbox");
    expect(outboxBatches.map((answer) => answer.deleted)).toEqual([2, 2, 0]);
    expect(answers.every((answer) => answer.deleted <= 2)).toBe(true);
    const left = await queryRows<{ id: string }>(
      database.db,
      sql`SELECT id FROM email_outbox ORDER BY id`,
    );
    expect(left.map((row) => row.id).sort()).toEqual([...kept].sort());
    expect(left.some((row) => old.includes(row.id))).toBe(false);
  });

  it("used and expired codes, finished windows and expired sessions go in batches too", async () => {
    const at = (offsetMs: number) => isoTimestamp(new Date(T0.getTime() + offsetMs));
    for (let i = 0; i < 7; i++) {
      const userId = randomUUID();
      await database.db.execute(
        sql`INSERT INTO users (id, email, password_hash) VALUES (${userId}::uuid, ${`u${i}@example.com`}, 'h')`,
      );
      // 3 used, 2 expired, 2 live codes.
      const used = i < 3;
      const expired = i >= 3 && i < 5;
      await database.db.execute(
        sql`INSERT INTO passcodes (user_id, code_type, code_hash, is_used, expires_at, created_at)
            VALUES (${userId}::uuid, 'VERIFICATION', 'h', ${used}::boolean,
              ${at(expired ? -DAY : DAY)}::timestamptz, ${at(-2 * DAY)}::timestamptz)`,
      );
      // 4 expired sessions, 3 live ones; 5 finished attempt windows, 2 current ones.
      await database.db.execute(
        sql`INSERT INTO sessions (user_id, token_hash, created_at, expires_at)
            VALUES (${userId}::uuid, ${`t${i}`}, ${at(-2 * DAY)}::timestamptz,
              ${at(i < 4 ? -1000 : DAY)}::timestamptz)`,
      );
      await database.db.execute(
        sql`INSERT INTO otp_attempts (user_id, code_type, window_started_at, failures)
            VALUES (${userId}::uuid, 'VERIFICATION', ${at(i < 5 ? -DAY : 0)}::timestamptz, 1)`,
      );
    }
    const { counts, answers } = await cleanUpInPairs();
    expect(counts).toMatchObject({
      usedDeleted: 3,
      expiredDeleted: 2,
      sessionsDeleted: 4,
      attemptWindowsDeleted: 5,
    });
    expect(answers.every((answer) => answer.deleted <= 2)).toBe(true);
    expect(answers.filter((answer) => answer.table === "passcodes").length).toBe(3);
    const [left] = await queryRows<{ codes: number; sessions: number; windows: number }>(
      database.db,
      sql`SELECT (SELECT count(*) FROM passcodes WHERE NOT is_used AND expires_at > ${at(0)}::timestamptz)::int AS codes,
            (SELECT count(*) FROM sessions)::int AS sessions,
            (SELECT count(*) FROM otp_attempts)::int AS windows`,
    );
    expect(left).toEqual({ codes: 2, sessions: 3, windows: 2 });
  });

  it("refuses a batch size or a retention it cannot honour", async () => {
    const base = { used: true, expired: true, olderThan: null, now: T0, policy };
    await expect(runCleanup(database.db, { ...base, outboxRetentionDays: 0 })).rejects.toThrow(
      /retention/,
    );
    await expect(
      runCleanup(database.db, { ...base, outboxRetentionDays: 7, batchSize: 0 }),
    ).rejects.toThrow(/batch size/);
  });
});
