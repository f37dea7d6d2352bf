import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** Anything that runs SQL: the database or an open transaction (both have `execute`). */
export type Executor = Pick<PgDatabase<PgQueryResultHKT>, "execute">;

/**
 * Runs a raw statement and returns its rows. postgres.js answers an array,
 * PGlite an object with `rows`; callers see the same shape from both.
 */
export async function queryRows<Row>(executor: Executor, statement: SQL): Promise<Row[]> {
  const result: unknown = await executor.execute(statement);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows: Row[] }).rows;
}

/** Timestamps arrive as Date (PGlite) or as text (postgres.js under Drizzle). */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

/** A timestamp parameter, cast explicitly so both drivers bind it the same way. */
export function isoTimestamp(value: Date): string {
  return value.toISOString();
}

/**
 * Opens the text of a transaction's last statement: on PostgreSQL, COMMIT is
 * sent right behind it instead of after its answer (one round trip less).
 * Nothing may run in the transaction after it, and the transaction commits
 * once it succeeds, whatever the callback does next. A plain comment to
 * PostgreSQL and PGlite.
 */
export const THEN_COMMIT = "/* then commit */";
