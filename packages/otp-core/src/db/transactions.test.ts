/**
 * Transactions on both drivers, including PostgreSQL's pipelined BEGIN and the
 * COMMIT sent behind a `THEN_COMMIT` statement (ADR 8).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  resolveTestPostgres,
  type TestBackend,
  type TestDatabase,
} from "../testing/index.js";
import { queryRows, THEN_COMMIT } from "./rows.js";

const server = await resolveTestPostgres();
const backends: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];
if (!server.available)
  console.warn(`[otp-core] transactions on PostgreSQL skipped: ${server.reason}`);

describe.each(backends)("transactions (%s)", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend, server.available ? server.url : undefined);
    await database.db.execute(sql`CREATE TABLE probe (n int PRIMARY KEY)`);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.execute(sql`DELETE FROM probe`);
  });

  const rows = async () =>
    (await queryRows<{ n: number }>(database.db, sql`SELECT n FROM probe ORDER BY n`)).map(
      (row) => row.n,
    );
  const final = (n: number) => sql`${sql.raw(THEN_COMMIT)} INSERT INTO probe (n) VALUES (${n})`;

  it("commits every statement, with the final one marked", async () => {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO probe (n) VALUES (1)`);
      await tx.execute(final(2));
    });
    expect(await rows()).toEqual([1, 2]);
  });

  it("rolls everything back when the final statement fails", async () => {
    await database.db.execute(sql`INSERT INTO probe (n) VALUES (2)`);
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO probe (n) VALUES (1)`);
        await tx.execute(final(2)); // duplicate key
      }),
    ).rejects.toThrow();
    expect(await rows()).toEqual([2]);
    // The connection is usable afterwards, outside any transaction.
    await database.db.transaction(async (tx) => {
      await tx.execute(final(3));
    });
    expect(await rows()).toEqual([2, 3]);
  });

  it("rolls back when the callback throws before the final statement", async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO probe (n) VALUES (1)`);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await rows()).toEqual([]);
  });

  it.runIf(backend === "postgres")(
    "refuses a statement after the final one (its work is already committed)",
    async () => {
      const error = await database.db
        .transaction(async (tx) => {
          await tx.execute(final(1));
          await tx.execute(sql`INSERT INTO probe (n) VALUES (2)`);
        })
        .then(
          () => null,
          (failure: unknown) => failure,
        );
      // Drizzle wraps the driver's error; ours is its cause.
      expect(String((error as { cause?: unknown } | null)?.cause)).toMatch(
        /after the transaction's final/,
      );
      expect(await rows()).toEqual([1]);
    },
  );

  it.runIf(backend === "postgres")(
    "keeps concurrent transactions apart on their own connections",
    async () => {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          database.db.transaction(async (tx) => {
            await tx.execute(sql`INSERT INTO probe (n) VALUES (${i * 2})`);
            await tx.execute(final(i * 2 + 1));
          }),
        ),
      );
      expect(await rows()).toHaveLength(80);
    },
  );
});
