import { sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import { OUTBOX_STATUSES, type OutboxStatus } from "../db/schema.js";
import { CODE_TYPES, type CodeType } from "../rules/code-types.js";
import { countOutboxByStatus, NO_RECIPIENT_KIND } from "./outbox.js";

export interface PasscodeCounts {
  live: number;
  used: number;
  expired: number;
}

/** Codes by type and state (live = unused and unexpired), in one statement. */
export async function countPasscodes(
  executor: Executor,
  now: Date,
): Promise<Record<CodeType, PasscodeCounts>> {
  const rows = await queryRows<{
    code_type: CodeType;
    live: number;
    used: number;
    expired: number;
  }>(
    executor,
    sql`SELECT code_type::text AS code_type,
          count(*) FILTER (WHERE NOT is_used AND expires_at > ${isoTimestamp(now)}::timestamptz)::int AS live,
          count(*) FILTER (WHERE is_used)::int AS used,
          count(*) FILTER (WHERE NOT is_used AND expires_at <= ${isoTimestamp(now)}::timestamptz)::int AS expired
        FROM passcodes GROUP BY code_type`,
  );
  const counts = Object.fromEntries(
    CODE_TYPES.map((type) => [type, { live: 0, used: 0, expired: 0 }]),
  ) as Record<CodeType, PasscodeCounts>;
  for (const row of rows)
    counts[row.code_type] = { live: row.live, used: row.used, expired: row.expired };
  return counts;
}

/**
 * Above this many rows (the planner's estimate), `readStats` takes a table's
 * totals from its statistics instead of counting them: an exact count reads
 * the whole table (5 million outbox rows: seconds on a small server).
 */
export const EXACT_COUNT_MAX_ROWS = 200_000;

export interface OperationalStats {
  codes: Record<CodeType, PasscodeCounts>;
  outbox: Record<OutboxStatus, number>;
  /**
   * Which figures are estimates: used codes, and emails other than PENDING,
   * when their table is over EXACT_COUNT_MAX_ROWS. Live and expired codes
   * (unused, read through their partial index) and PENDING emails are always
   * counted exactly.
   */
  estimated: { usedCodes: boolean; finishedEmails: boolean };
}

interface TableStatistics {
  table: "passcodes" | "email_outbox";
  /** reltuples scaled to the table's current size, as the planner does; null if never analysed. */
  rows: number | null;
  /** The column's most common values (code_type, status) and their shares, from pg_stats. */
  values: string[] | null;
  shares: number[] | null;
}

/**
 * What `pnpm otp stats` prints: codes by type and state, emails by delivery
 * state, exact on small tables and from the planner's statistics (as of the
 * last ANALYZE, usually autovacuum's) on big ones.
 */
export async function readStats(
  executor: Executor,
  now: Date,
  options: { exactCountMaxRows?: number } = {},
): Promise<OperationalStats> {
  const exactCountMaxRows = options.exactCountMaxRows ?? EXACT_COUNT_MAX_ROWS;
  const tables = await queryRows<TableStatistics>(
    executor,
    sql`SELECT c.relname AS "table",
          CASE WHEN c.reltuples < 0 THEN NULL
            WHEN c.relpages = 0 THEN c.reltuples::float8
            ELSE (c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int))::float8
          END AS rows,
          s.most_common_vals::text::text[] AS values,
          s.most_common_freqs::float8[] AS shares
        FROM pg_class c
        LEFT JOIN pg_stats s ON s.schemaname = 'public' AND s.tablename = c.relname
          AND s.attname = CASE c.relname WHEN 'passcodes' THEN 'code_type' ELSE 'status' END
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
          AND c.relname IN ('passcodes', 'email_outbox')`,
  );
  const big = (table: TableStatistics["table"]) => {
    const found = tables.find((row) => row.table === table);
    return found !== undefined && found.rows !== null && found.rows > exactCountMaxRows
      ? found
      : null;
  };
  const passcodeStatistics = big("passcodes");
  const outboxStatistics = big("email_outbox");
  const codes =
    passcodeStatistics === null
      ? await countPasscodes(executor, now)
      : await estimatePasscodes(executor, now, passcodeStatistics);
  const outbox =
    outboxStatistics === null
      ? await countOutboxByStatus(executor)
      : await estimateOutbox(executor, outboxStatistics);
  return {
    codes,
    outbox,
    estimated: {
      usedCodes: passcodeStatistics !== null,
      finishedEmails: outboxStatistics !== null,
    },
  };
}

/** The share of rows per value: the most common values' shares, the rest spread evenly. */
function sharesOf<V extends string>(
  all: readonly V[],
  statistics: TableStatistics,
): Record<V, number> {
  const values = statistics.values ?? [];
  const shares = statistics.shares ?? [];
  const known = new Map(values.map((value, index) => [value, shares[index] ?? 0]));
  const rest = Math.max(0, 1 - [...known.values()].reduce((sum, share) => sum + share, 0));
  const unknown = all.filter((value) => !known.has(value)).length;
  return Object.fromEntries(
    all.map((value) => [value, known.get(value) ?? (unknown === 0 ? 0 : rest / unknown)]),
  ) as Record<V, number>;
}

/**
 * Unused codes counted exactly (few, through the partial unique index on
 * unused codes); used codes per type estimated as the type's share of the
 * table's rows less its unused codes.
 */
async function estimatePasscodes(
  executor: Executor,
  now: Date,
  statistics: TableStatistics,
): Promise<Record<CodeType, PasscodeCounts>> {
  const rows = await queryRows<{ code_type: CodeType; live: number; expired: number }>(
    executor,
    sql`SELECT code_type::text AS code_type,
          count(*) FILTER (WHERE expires_at > ${isoTimestamp(now)}::timestamptz)::int AS live,
          count(*) FILTER (WHERE expires_at <= ${isoTimestamp(now)}::timestamptz)::int AS expired
        FROM passcodes WHERE is_used = false GROUP BY code_type`,
  );
  const shares = sharesOf(CODE_TYPES, statistics);
  const total = statistics.rows ?? 0;
  return Object.fromEntries(
    CODE_TYPES.map((type) => {
      const unused = rows.find((row) => row.code_type === type) ?? { live: 0, expired: 0 };
      const used = Math.max(0, Math.round(total * shares[type]) - unused.live - unused.expired);
      return [type, { live: unused.live, used, expired: unused.expired }];
    }),
  ) as Record<CodeType, PasscodeCounts>;
}

/**
 * PENDING counted exactly (its partial index); the finished states from the statistics,
 * which do not tell kinds apart: decoys settled as SUPERSEDED are in that estimate.
 */
async function estimateOutbox(
  executor: Executor,
  statistics: TableStatistics,
): Promise<Record<OutboxStatus, number>> {
  const rows = await queryRows<{ n: number }>(
    executor,
    sql`SELECT count(*)::int AS n FROM email_outbox
        WHERE status = 'PENDING' AND kind <> ${NO_RECIPIENT_KIND}`,
  );
  const pending = rows[0]?.n ?? 0;
  const finished = OUTBOX_STATUSES.filter((status) => status !== "PENDING");
  const shares = sharesOf(finished, statistics);
  const total = Math.max(0, (statistics.rows ?? 0) - pending);
  const sum = finished.reduce((acc, status) => acc + shares[status], 0);
  const counts = { PENDING: pending } as Record<OutboxStatus, number>;
  for (const status of finished) {
    counts[status] = sum === 0 ? 0 : Math.round((total * shares[status]) / sum);
  }
  return counts;
}
