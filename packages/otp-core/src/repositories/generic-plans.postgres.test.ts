/**
 * The generic plan of every repository statement, on a big database whose
 * statistics are stale in the way production's are after a burst: analysed
 * while nearly every code was used and every email delivered, then thousands
 * of unused codes and pending emails added. The API prepares its statements
 * (db/client.ts), so PostgreSQL ends up running a generic plan, planned from
 * those statistics: a partial index (`WHERE is_used = false`, `WHERE status =
 * 'PENDING'`) looks nearly empty and can win over the primary key, and then
 * every lookup by id scans every unused code or pending email (BENCHMARKS.md,
 * "Generic plans on a big database").
 *
 * Each statement is captured as the repository builds it, prepared under
 * `plan_cache_mode = force_generic_plan`, and its EXPLAIN (FORMAT JSON) is
 * checked: no index scan without an index condition (the trap: a partial
 * index read from end to end, filtered by id), no sequential scan of a table
 * that grows, except where a statement reads the whole table on purpose.
 */
import { randomUUID } from "node:crypto";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../db/rows.js";
import { resolvePolicy } from "../rules/policy.js";
import { createTestDatabase, resolveTestPostgres, type TestDatabase } from "../testing/index.js";
import * as failures from "./account-failures.js";
import * as accountSessions from "./account-sessions.js";
import * as cleanup from "./cleanup.js";
import * as devices from "./known-devices.js";
import * as outbox from "./outbox.js";
import * as effects from "./passcode-effects.js";
import * as passcodes from "./passcodes.js";
import * as securityEvents from "./security-events.js";
import * as sessions from "./sessions.js";
import * as stats from "./stats.js";
import * as users from "./users.js";

const server = await resolveTestPostgres();
if (!server.available) console.warn(`[otp-core] generic-plan tests skipped: ${server.reason}`);

/** Tables that grow with traffic; a sequential scan of one is a finding. */
const GROWING_TABLES = [
  "users",
  "passcodes",
  "sessions",
  "otp_attempts",
  "send_limits",
  "email_outbox",
  "account_failures",
  "security_events",
  "known_devices",
  "device_attempts",
];

const dialect = new PgDialect();
const NOW = new Date();
const policy = resolvePolicy({});
const uuid = () => randomUUID();
const bytes = new Uint8Array([1, 2, 3]);
const client = { ip: "203.0.113.7", userAgent: "Mozilla/5.0" };

/** The text of every statement a repository call sends, without running it. */
async function statementsOf(call: (executor: Executor) => Promise<unknown>): Promise<string[]> {
  const texts: string[] = [];
  const recorder = {
    execute: async (query: SQL) => {
      texts.push(dialect.sqlToQuery(query).sql);
      // One row of nothing: enough for every caller to go on (cleanup's loops end at once).
      return [{ selected: 0, deleted: 0, tallied: 0, last_key: null }];
    },
  } as unknown as Executor;
  await call(recorder).catch(() => {});
  return texts;
}

/** Statements that read a whole table on purpose (operations, not request paths). */
const WHOLE_TABLE_READS = new Set([
  "listOutbox",
  "countOutboxByStatus",
  "countPasscodes",
  // Every pending row, on purpose (the backlog's size and age), once per metrics scrape.
  "pendingOutboxSummary",
]);

const STATEMENTS: Record<string, (executor: Executor) => Promise<unknown>> = {
  claimDueEmails: (e) => outbox.claimDueEmails(e, { now: NOW, limit: 64, leaseSeconds: 60 }),
  markEmailsSent: (e) =>
    outbox.markEmailsSent(e, { rows: [{ id: uuid(), attempts: 1 }], now: NOW }),
  scheduleEmailRetry: (e) =>
    outbox.scheduleEmailRetry(e, { id: uuid(), attempts: 1, retryAt: NOW, error: "x" }),
  settleEmailUnsent: (e) =>
    outbox.settleEmailUnsent(e, { id: uuid(), attempts: 1, status: "FAILED", error: "x" }),
  nextEmailDueAt: (e) => outbox.nextEmailDueAt(e),
  pendingOutboxSummary: (e) => outbox.pendingOutboxSummary(e, NOW),
  queueEmail: (e) =>
    outbox.queueEmail(e, {
      id: uuid(),
      kind: "password-changed",
      payload: bytes,
      traceContext: null,
      now: NOW,
    }),
  countOutboxByStatus: (e) => outbox.countOutboxByStatus(e),
  listOutbox: (e) => outbox.listOutbox(e),
  replacePasscode: (e) =>
    passcodes.replacePasscode(e, {
      userId: uuid(),
      codeType: "VERIFICATION",
      passcodeId: uuid(),
      codeHash: "h",
      linkHash: "l",
      expiresAt: NOW,
      now: NOW,
      outbox: { id: uuid(), kind: "verification", payload: bytes, traceContext: null },
    }),
  "lockAccountAndReserveAttempt by email": (e) =>
    passcodes.lockAccountAndReserveAttempt(e, {
      account: { email: "a@example.com" },
      codeType: "VERIFICATION",
      recipientKey: "k",
      now: NOW,
      policy,
    }),
  "lockAccountAndReserveAttempt by id": (e) =>
    passcodes.lockAccountAndReserveAttempt(e, {
      account: { userId: uuid() },
      codeType: "SIGN_IN",
      recipientKey: "k",
      now: NOW,
      policy,
    }),
  "lockAccountAndReserveAttempt by a known device": (e) =>
    passcodes.lockAccountAndReserveAttempt(e, {
      account: { email: "a@example.com" },
      codeType: "SIGN_IN",
      recipientKey: "device:d",
      deviceKey: "device:d",
      now: NOW,
      policy,
    }),
  "findKnownDevice by email": (e) =>
    devices.findKnownDevice(e, { account: { email: "a@example.com" }, token: "t" }),
  "findKnownDevice by id": (e) =>
    devices.findKnownDevice(e, { account: { userId: uuid() }, token: "t" }),
  findLinkTarget: (e) => passcodes.findLinkTarget(e, uuid()),
  "consumeCode VERIFICATION": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "VERIFICATION",
      now: NOW,
      effect: effects.verifyEmailEffect({ now: NOW, bound: null }),
      extra: effects.verifyEmailUnboundExtra,
    }),
  "consumeCode VERIFICATION from the registering client": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "VERIFICATION",
      now: NOW,
      effect: effects.verifyEmailEffect({
        now: NOW,
        bound: {
          passwordHash: "h",
          session: { sessionId: uuid(), tokenHash: "t", expiresAt: NOW },
        },
      }),
      extra: effects.verifyEmailExtra,
    }),
  "consumeCode PASSWORD_RESET": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "PASSWORD_RESET",
      now: NOW,
      effect: effects.resetPasswordEffect({
        passwordHash: "h",
        now: NOW,
        notice: { id: uuid(), kind: "password-changed", payload: bytes, traceContext: null },
        keepDevice: "d",
      }),
      extra: effects.resetPasswordExtra,
    }),
  "consumeCode SIGN_IN": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "SIGN_IN",
      now: NOW,
      effect: effects.signInEffect({ sessionId: uuid(), tokenHash: "t", expiresAt: NOW, now: NOW }),
    }),
  "consumeCode EMAIL_CHANGE": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "EMAIL_CHANGE",
      now: NOW,
      effect: effects.changeEmailEffect({
        now: NOW,
        notice: { id: uuid(), kind: "email-changed", payload: bytes, traceContext: null },
        keepSession: null,
        undo: {
          passcodeId: uuid(),
          codeHash: "h",
          linkHash: "l",
          oldEmail: "a@example.com",
          expiresAt: NOW,
        },
      }),
      extra: effects.changeEmailExtra,
    }),
  "consumeCode EMAIL_CHANGE_UNDO": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "EMAIL_CHANGE_UNDO",
      now: NOW,
      effect: effects.undoEmailChangeEffect({ now: NOW }),
      extra: effects.undoEmailChangeExtra,
    }),
  "consumeCode REAUTHENTICATION": (e) =>
    passcodes.consumeCode(e, {
      passcodeId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      codeType: "REAUTHENTICATION",
      now: NOW,
      effect: effects.reauthenticateEffect({ now: NOW, sessionId: uuid() }),
      extra: effects.reauthenticateExtra,
    }),
  confirmSessionAuthenticated: (e) =>
    sessions.confirmSessionAuthenticated(e, {
      sessionId: uuid(),
      userId: uuid(),
      recipientKey: "k",
      now: NOW,
    }),
  refundAttempt: (e) =>
    passcodes.refundAttempt(e, { userId: uuid(), codeType: "VERIFICATION", recipientKey: "k" }),
  "refundAttempt of a known device": (e) =>
    passcodes.refundAttempt(e, {
      userId: uuid(),
      codeType: "SIGN_IN",
      recipientKey: "device:d",
      deviceKey: "device:d",
    }),
  reservePasswordAttempt: (e) =>
    failures.reservePasswordAttempt(e, {
      recipientKey: "k",
      email: "a@example.com",
      now: NOW,
      policy,
    }),
  "reservePasswordAttempt of a sign-in": (e) =>
    failures.reservePasswordAttempt(e, {
      recipientKey: "k",
      email: "a@example.com",
      now: NOW,
      policy,
      presumedFailure: {
        id: uuid(),
        event: { type: "SIGN_IN_BLOCKED", detail: { reason: "WRONG_PASSWORD" }, client, now: NOW },
      },
    }),
  queuePasswordNoticeOnce: (e) =>
    failures.queuePasswordNoticeOnce(e, {
      recipientKey: "k",
      email: "a@example.com",
      windowStartedAt: NOW,
      notice: { id: uuid(), kind: "PASSWORD_LIMIT_REACHED", payload: bytes, traceContext: null },
      now: NOW,
    }),
  issueUnlockIfNeeded: (e) =>
    failures.issueUnlockIfNeeded(e, {
      recipientKey: "k",
      email: "a@example.com",
      tokenHash: "t",
      expiresAt: NOW,
      notice: { id: uuid(), kind: "ACCOUNT_LOCKED", payload: bytes, traceContext: null },
      event: { type: "ACCOUNT_LOCKED", client, now: NOW },
      now: NOW,
      policy,
    }),
  useUnlockToken: (e) =>
    failures.useUnlockToken(e, {
      tokenHash: "t",
      now: NOW,
      event: { type: "ACCOUNT_UNLOCKED", client, now: NOW },
    }),
  findUserEmail: (e) => users.findUserEmail(e, uuid()),
  findSessionUser: (e) =>
    sessions.findSessionUser(e, { tokenHash: "t", now: NOW, touchBefore: NOW }),
  listAccountSessions: (e) => accountSessions.listAccountSessions(e, { userId: uuid(), now: NOW }),
  revokeAccountSession: (e) =>
    accountSessions.revokeAccountSession(e, {
      userId: uuid(),
      sessionId: uuid(),
      event: { type: "SESSION_REVOKED", client, now: NOW },
    }),
  revokeAllAccountSessions: (e) =>
    accountSessions.revokeAllAccountSessions(e, {
      userId: uuid(),
      keepDevice: null,
      event: { type: "SIGNED_OUT_EVERYWHERE", client, now: NOW },
    }),
  openSignedInSession: (e) =>
    accountSessions.openSignedInSession(e, {
      userId: uuid(),
      recipientKey: "k",
      session: { sessionId: uuid(), tokenHash: "t", expiresAt: NOW, client },
      now: NOW,
      event: { type: "SIGNED_IN", detail: { method: "password" }, client, now: NOW },
      device: {
        deviceHash: "d",
        notice: { id: uuid(), kind: "NEW_SIGN_IN", payload: bytes, traceContext: null },
      },
    }),
  "openSignedInSession withdrawing a presumed failure": (e) =>
    accountSessions.openSignedInSession(e, {
      userId: uuid(),
      recipientKey: "k",
      session: { sessionId: uuid(), tokenHash: "t", expiresAt: NOW, client },
      now: NOW,
      event: { type: "SIGNED_IN", detail: { method: "password" }, client, now: NOW },
      device: {
        deviceHash: "d",
        notice: { id: uuid(), kind: "NEW_SIGN_IN", payload: bytes, traceContext: null },
      },
      withdrawnEventId: uuid(),
    }),
  correctPresumedFailure: (e) =>
    securityEvents.correctPresumedFailure(e, uuid(), { reason: "EMAIL_NOT_VERIFIED" }),
  "listSecurityEvents first page": (e) =>
    securityEvents.listSecurityEvents(e, { userId: uuid(), before: null, limit: 20 }),
  "listSecurityEvents next page": (e) =>
    securityEvents.listSecurityEvents(e, {
      userId: uuid(),
      before: { at: NOW, id: uuid() },
      limit: 20,
    }),
  deleteSession: (e) => sessions.deleteSession(e, "t"),
  deleteUserSessions: (e) => sessions.deleteUserSessions(e, uuid()),
  registerOrLockUser: (e) =>
    users.registerOrLockUser(e, {
      recipientKey: "k",
      codeType: "VERIFICATION",
      now: NOW,
      policy,
      email: "a@example.com",
      locale: "en",
    }),
  reserveSendAndLockUser: (e) =>
    users.reserveSendAndLockUser(e, {
      recipientKey: "k",
      codeType: "SIGN_IN",
      now: NOW,
      policy,
      email: "a@example.com",
    }),
  lockUserById: (e) => users.lockUserById(e, uuid()),
  reserveSendForEmailChange: (e) =>
    users.reserveSendForEmailChange(e, {
      recipientKey: "k",
      codeType: "EMAIL_CHANGE",
      now: NOW,
      policy,
      userId: uuid(),
      newEmail: "b@example.com",
    }),
  runCleanup: (e) =>
    cleanup.runCleanup(e, {
      used: true,
      expired: true,
      olderThan: null,
      outboxRetentionDays: 7,
      now: NOW,
      policy,
    }),
  countPasscodes: (e) => stats.countPasscodes(e, NOW),
};

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}

/** What is wrong with a plan: full index scans, and sequential scans of growing tables. */
function findings(plan: PlanNode, wholeTable: boolean): string[] {
  const found: string[] = [];
  // An index read in order under a Limit stops at its first rows (min(), ORDER BY ... LIMIT).
  const limited = new Set(
    [...walk(plan)].filter((node) => node["Node Type"] === "Limit").flatMap((node) => node.Plans),
  );
  for (const node of walk(plan)) {
    const isIndexScan = ["Index Scan", "Index Only Scan", "Bitmap Index Scan"].includes(
      node["Node Type"],
    );
    if (isIndexScan && node["Index Cond"] === undefined && !wholeTable && !limited.has(node)) {
      found.push(`${node["Node Type"]} of ${node["Index Name"]} without an index condition`);
    }
    if (
      node["Node Type"] === "Seq Scan" &&
      GROWING_TABLES.includes(node["Relation Name"] ?? "") &&
      !wholeTable
    ) {
      found.push(`Seq Scan of ${node["Relation Name"]}`);
    }
  }
  return found;
}

/**
 * A database shaped like the one in issue 15, smaller: delivered history
 * analysed, then a burst of unused codes and pending emails the statistics
 * have not seen (autovacuum off on these tables, so none analyses them).
 */
async function fillSkewed(sqlClient: postgres.Sql): Promise<void> {
  await sqlClient.unsafe(`
    ALTER TABLE passcodes SET (autovacuum_enabled = false);
    ALTER TABLE email_outbox SET (autovacuum_enabled = false);
    INSERT INTO users (id, email, password_hash, is_verified, verified_at)
      SELECT gen_random_uuid(), 'old' || g || '@example.com', 'h', true, now() - interval '3 days'
      FROM generate_series(1, 60000) g;
    INSERT INTO passcodes (user_id, code_type, code_hash, is_used, expires_at, created_at, used_at)
      SELECT id, 'VERIFICATION', 'h', true, now() - interval '3 days', now() - interval '3 days',
        now() - interval '3 days' FROM users;
    INSERT INTO sessions (user_id, token_hash, created_at, expires_at)
      SELECT id, md5(id::text), now() - interval '3 days', now() + interval '27 days' FROM users;
    INSERT INTO otp_attempts (user_id, code_type, window_started_at, failures)
      SELECT id, 'VERIFICATION', now() - interval '3 days', 0 FROM users;
    INSERT INTO send_limits (recipient_key, window_started_at, sent_count, last_sent_at)
      SELECT md5(email), now() - interval '3 days', 1, now() - interval '3 days' FROM users;
    INSERT INTO account_failures (recipient_key, password_window_started_at, password_failures,
        consecutive_failures)
      SELECT md5(email), now() - interval '3 days', 1, 1 FROM users;
    INSERT INTO email_outbox (id, kind, payload, passcode_id, status, attempts, available_at,
        expires_at, created_at, sent_at)
      SELECT gen_random_uuid(), 'verification', NULL, NULL, 'SENT', 1, now() - interval '3 days',
        now() - interval '3 days', now() - interval '3 days', now() - interval '3 days'
      FROM generate_series(1, 150000);
    INSERT INTO security_events (user_id, type, created_at, ip, user_agent)
      SELECT id, 'SIGNED_IN', now() - interval '3 days', '203.0.113.7', 'Mozilla/5.0' FROM users;
    INSERT INTO known_devices (user_id, device_hash, first_seen_at)
      SELECT id, md5(id::text), now() - interval '3 days' FROM users;
    INSERT INTO device_attempts (device_key, code_type, window_started_at, failures)
      SELECT 'device:' || md5(id::text), 'SIGN_IN', now() - interval '3 days', 0 FROM users;
    ANALYZE;
    INSERT INTO users (id, email, password_hash)
      SELECT gen_random_uuid(), 'new' || g || '@example.com', 'h' FROM generate_series(1, 8000) g;
    INSERT INTO passcodes (user_id, code_type, code_hash, is_used, expires_at)
      SELECT id, 'VERIFICATION', 'h', false, now() + interval '15 minutes'
      FROM users WHERE email LIKE 'new%';
    INSERT INTO email_outbox (id, kind, payload, passcode_id, status, available_at, expires_at)
      SELECT gen_random_uuid(), 'verification', '\\x00', id, 'PENDING', now(), expires_at
      FROM passcodes WHERE NOT is_used;
  `);
}

describe.skipIf(!server.available)("generic plans on a big, skewed database (PostgreSQL)", () => {
  let database: TestDatabase;
  let session: postgres.Sql;
  beforeAll(async () => {
    database = await createTestDatabase("postgres", server.available ? server.url : undefined, {
      poolSize: 2,
    });
    session = postgres(database.url ?? "", { max: 1, onnotice: () => {} });
    await fillSkewed(session);
    await session.unsafe("SET plan_cache_mode = force_generic_plan");
  }, 120_000);
  afterAll(async () => {
    await session?.end({ timeout: 5 });
    await database?.close();
  });

  async function genericPlan(text: string): Promise<PlanNode> {
    const name = `s_${randomUUID().replaceAll("-", "")}`;
    await session.unsafe(`PREPARE ${name} AS ${text}`);
    try {
      const [described] = await session.unsafe<{ parameter_types: string }[]>(
        "SELECT parameter_types::text FROM pg_prepared_statements WHERE name = $1",
        [name],
      );
      const types = described?.parameter_types ?? "{}";
      const count = types === "{}" ? 0 : (types.match(/,/g)?.length ?? 0) + 1;
      const nulls = count === 0 ? "" : `(${Array(count).fill("NULL").join(", ")})`;
      const [row] = await session.unsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
        `EXPLAIN (FORMAT JSON) EXECUTE ${name}${nulls}`,
      );
      const plan = row?.["QUERY PLAN"][0]?.Plan;
      if (plan === undefined) throw new Error(`no plan for ${text}`);
      return plan;
    } finally {
      await session.unsafe(`DEALLOCATE ${name}`);
    }
  }

  it("the statistics make the partial indexes look nearly empty (the trap is set)", async () => {
    const [row] = await session<{ unused: number; pending: number }[]>`
      SELECT (SELECT count(*) FROM passcodes WHERE NOT is_used)::int AS unused,
        (SELECT count(*) FROM email_outbox WHERE status = 'PENDING')::int AS pending`;
    expect(row).toEqual({ unused: 8000, pending: 8000 });
    const [stale] = await session<{ frac: number | null }[]>`
      SELECT coalesce((SELECT most_common_freqs[1] FROM pg_stats
        WHERE tablename = 'passcodes' AND attname = 'is_used'), 0)::float8 AS frac`;
    expect(stale?.frac).toBe(1); // the statistics saw only used codes
  });

  it("delivery's claim looks each email's code up by primary key", async () => {
    const [text] = await statementsOf(STATEMENTS.claimDueEmails as never);
    const plan = await genericPlan(text ?? "");
    const passcodeScans = [...walk(plan)].filter((node) => node["Relation Name"] === "passcodes");
    expect(passcodeScans.map((node) => node["Index Name"])).toEqual(["passcodes_pkey"]);
    expect(findings(plan, false)).toEqual([]);
  });

  it("the settle statements find their row by primary key", async () => {
    for (const name of ["markEmailsSent", "scheduleEmailRetry", "settleEmailUnsent"]) {
      const [text] = await statementsOf(STATEMENTS[name] as never);
      const plan = await genericPlan(text ?? "");
      const outboxScans = [...walk(plan)].filter(
        (node) => node["Relation Name"] === "email_outbox" && node["Node Type"] !== "ModifyTable",
      );
      expect({ name, indexes: outboxScans.map((node) => node["Index Name"]) }).toEqual({
        name,
        indexes: ["email_outbox_pkey"],
      });
    }
  });

  it("no statement scans a partial index end to end, or a growing table sequentially", async () => {
    const report: Record<string, string[]> = {};
    for (const [name, call] of Object.entries(STATEMENTS)) {
      for (const [index, text] of (await statementsOf(call)).entries()) {
        const plan = await genericPlan(text).catch((error: Error) => {
          throw new Error(`${name}: ${error.message}\n${text}`);
        });
        report[`${name} #${index + 1}`] = findings(plan, WHOLE_TABLE_READS.has(name));
      }
    }
    const problems = Object.fromEntries(
      Object.entries(report).filter(([, found]) => found.length > 0),
    );
    expect(problems).toEqual({});
    expect(Object.keys(report).length).toBeGreaterThanOrEqual(Object.keys(STATEMENTS).length);
  });
});
