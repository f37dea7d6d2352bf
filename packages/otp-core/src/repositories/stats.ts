import { sql } from "drizzle-orm";
import { type Executor, isoTimestamp, queryRows } from "../db/rows.js";
import { CODE_TYPES, type CodeType } from "../rules/code-types.js";

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
