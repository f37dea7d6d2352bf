/**
 * The operations of `pnpm otp`, each a function of an open database: the CLI
 * runs them itself, or, when a running server owns the embedded database, the
 * server runs them for it (admin/server.ts); either way they print the same.
 */
import type { DatabaseHandle } from "../db/client.js";
import { OUTBOX_STATUSES } from "../db/schema.js";
import { type CleanupCounts, runCleanup } from "../repositories/cleanup.js";
import { EXACT_COUNT_MAX_ROWS, readStats } from "../repositories/stats.js";
import { CODE_TYPES } from "../rules/code-types.js";
import type { PasscodePolicy } from "../rules/policy.js";

/** What a command prints: lines for people, or one JSON document with --json. */
export interface CommandOutput {
  lines: string[];
  json: unknown;
}

export async function migrateCommand(
  database: DatabaseHandle,
  target: string,
): Promise<CommandOutput> {
  await database.migrate();
  return { lines: [`migrations applied to ${target}`], json: { migrated: true, target } };
}

export interface CleanupOptions {
  used: boolean;
  expired: boolean;
  olderThan: Date | null;
  outboxRetentionDays: number;
  securityEventRetentionDays: number;
}

/**
 * The seed's cleanup: used and/or expired codes, plus finished limit windows, expired
 * sessions and finished emails past their retention, in bounded batches.
 */
export async function cleanupCommand(
  database: DatabaseHandle,
  options: CleanupOptions,
  policy: PasscodePolicy,
  now: Date,
): Promise<CommandOutput> {
  const counts: CleanupCounts = await runCleanup(database.db, {
    ...options,
    now,
    policy,
  });
  const scope =
    options.olderThan === null ? "" : ` created before ${options.olderThan.toISOString()}`;
  return {
    lines: [
      `deleted ${counts.usedDeleted} used code${plural(counts.usedDeleted)}${options.used ? "" : " (not asked)"}` +
        ` and ${counts.expiredDeleted} expired code${plural(counts.expiredDeleted)}${options.expired ? "" : " (not asked)"}${scope}`,
      `also deleted ${counts.attemptWindowsDeleted} finished attempt window${plural(counts.attemptWindowsDeleted)}, ` +
        `${counts.sendWindowsDeleted} finished send window${plural(counts.sendWindowsDeleted)} and ` +
        `${counts.sessionsDeleted} expired session${plural(counts.sessionsDeleted)}`,
      `deleted ${counts.outboxDeleted} finished email${plural(counts.outboxDeleted)} (sent, failed, expired or superseded) ` +
        `older than ${options.outboxRetentionDays} day${plural(options.outboxRetentionDays)}`,
      `deleted ${counts.securityEventsDeleted} security event${plural(counts.securityEventsDeleted)} ` +
        `older than ${options.securityEventRetentionDays} day${plural(options.securityEventRetentionDays)}`,
    ],
    json: counts,
  };
}

/**
 * Codes by type and state, emails by delivery state. On a table over
 * EXACT_COUNT_MAX_ROWS rows the figures that would need a whole-table count
 * (used codes, finished emails) are the planner's estimates, marked "~".
 */
export async function statsCommand(database: DatabaseHandle, now: Date): Promise<CommandOutput> {
  const { codes, outbox, estimated } = await readStats(database.db, now);
  const approx = (isEstimate: boolean, n: number) => `${isEstimate ? "~" : ""}${n}`;
  const width = Math.max(...CODE_TYPES.map((type) => type.length));
  const lines = [
    `${"codes".padEnd(width)}  ${"live".padStart(6)}  ${"used".padStart(8)}  ${"expired".padStart(7)}`,
    ...CODE_TYPES.map(
      (type) =>
        `${type.padEnd(width)}  ${String(codes[type].live).padStart(6)}  ${approx(estimated.usedCodes, codes[type].used).padStart(8)}  ${String(codes[type].expired).padStart(7)}`,
    ),
    "",
    `emails  ${OUTBOX_STATUSES.map((status) => `${status} ${approx(estimated.finishedEmails && status !== "PENDING", outbox[status])}`).join(", ")}`,
  ];
  if (estimated.usedCodes || estimated.finishedEmails) {
    lines.push(
      "",
      `~ estimated from the planner's statistics (pg_class.reltuples, pg_stats; as of the last ANALYZE): ` +
        `a table over ${EXACT_COUNT_MAX_ROWS.toLocaleString("en")} rows is not counted row by row. ` +
        "Live and expired codes and pending emails are always exact.",
    );
  }
  return { lines, json: { codes, outbox, estimated } };
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}
