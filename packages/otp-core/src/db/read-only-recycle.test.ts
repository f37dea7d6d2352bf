/**
 * After a switchover the pool's connections stay open to the old primary, now a
 * read-only standby, and postgres.js checks `target_session_attrs` only when it
 * connects. A write refused as read-only (25006) drops the pool's connections, so the
 * next statements connect afresh and find the writable server, with no restart; LISTEN
 * is made again on its new connection (PostgreSQL only).
 *
 * The standby is played by the same database with `default_transaction_read_only` on:
 * connections opened while it is on are read-only for life, as those to a demoted
 * primary are. (drizzle wraps each driver error; the SQLSTATE is on its cause.)
 */
import { sql as drizzleSql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, resolveTestPostgres, type TestDatabase } from "../testing/index.js";
import { createDatabase, type DatabaseHandle } from "./client.js";

const server = await resolveTestPostgres();
if (!server.available) console.warn(`[otp-core] read-only recycle tests skipped: ${server.reason}`);

describe.skipIf(!server.available)("a pool on a server that turned read-only (PostgreSQL)", () => {
  let database: TestDatabase;
  let admin: postgres.Sql;
  let handle: DatabaseHandle | undefined;
  let name: string;

  beforeAll(async () => {
    database = await createTestDatabase("postgres", server.available ? server.url : undefined);
    name = new URL(database.url ?? "").pathname.slice(1);
    admin = postgres(database.url ?? "", { max: 1, onnotice: () => {} });
    await admin`CREATE TABLE recycle_probe (n int)`;
  });
  afterAll(async () => {
    await handle?.close();
    await admin?.end({ timeout: 5 });
    await database?.close();
  });

  const write = (db: DatabaseHandle) =>
    db.db.execute(drizzleSql`INSERT INTO recycle_probe VALUES (1)`);

  it("a write refused as read-only (25006) recycles the pool; the next write succeeds without a restart", async () => {
    await admin.unsafe(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
    handle = await createDatabase({ url: database.url ?? undefined, poolSize: 3 });
    let notified = 0;
    await handle.listen("recycle_probe", () => {
      notified += 1;
    });
    // Every connection the pool opens now is read-only, like one to a demoted primary.
    const refused = await Promise.allSettled([write(handle), write(handle), write(handle)]);
    expect(
      refused.map((r) =>
        r.status === "rejected" ? (r.reason as { cause?: { code?: string } }).cause?.code : "ok",
      ),
    ).toEqual(["25006", "25006", "25006"]);
    expect(handle.recycles?.()).toBe(1);
    // The writable server is back (the new primary): the pool's next connections find it.
    await admin.unsafe(`ALTER DATABASE "${name}" RESET default_transaction_read_only`);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // one recycle per second at most
    await expect(write(handle)).resolves.toBeDefined();
    const [row] = await admin<Array<{ n: number }>>`SELECT count(*)::int AS n FROM recycle_probe`;
    expect(row?.n).toBe(1);
    // LISTEN was made again on a new connection: a NOTIFY still arrives.
    await admin`SELECT pg_notify('recycle_probe', '')`;
    const deadline = Date.now() + 3_000;
    while (notified === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(notified).toBe(1);
  });

  it("without a refusal, nothing is recycled (a constraint error is the request's, not the server's)", async () => {
    const before = handle?.recycles?.() ?? 0;
    await expect(
      (handle as DatabaseHandle).db.execute(drizzleSql`SELECT 1/0`),
    ).rejects.toMatchObject({ cause: { code: "22012" } });
    expect(handle?.recycles?.()).toBe(before);
  });
});
