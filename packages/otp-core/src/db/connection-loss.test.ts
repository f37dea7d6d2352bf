/**
 * A connection lost mid-use settles every statement that was on it, and the
 * pool goes on with fresh connections (PostgreSQL only). postgres.js 3.4.9 is
 * patched for this (patches/postgres@3.4.9.patch, ADR 9): without the patch
 * each case here leaves a promise pending for ever.
 */
import { connect as netConnect, type Socket } from "node:net";
import { sql as drizzleSql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, resolveTestPostgres, type TestDatabase } from "../testing/index.js";
import { createDatabase } from "./client.js";

const server = await resolveTestPostgres();
if (!server.available) console.warn(`[otp-core] connection-loss tests skipped: ${server.reason}`);

/** Settles with the outcome, or "pending" if `promise` has not settled within `ms`. */
async function outcome(promise: Promise<unknown>, ms = 3_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => "resolved",
        () => "rejected",
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!server.available)("connection loss (PostgreSQL)", () => {
  let database: TestDatabase;
  let url: string;
  let admin: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase("postgres", server.available ? server.url : undefined);
    url = database.url ?? "";
    admin = postgres(url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end({ timeout: 5 });
    await database?.close();
  });

  it("a statement sent between the socket's error and close events is rejected", async () => {
    const target = new URL(url);
    let socket: Socket | undefined;
    // `socket` (a custom socket factory) is a postgres.js option its types do not declare.
    const options: postgres.Options<Record<string, never>> & { socket: () => Socket } = {
      max: 1,
      onnotice: () => {},
      socket: () => {
        socket = netConnect(Number(target.port || 5432), target.hostname);
        return socket;
      },
    };
    const client = postgres(url, options);
    try {
      await client`select 1`;
      const lost = socket as Socket;
      // Node emits 'error' on the next tick and 'close' once the handle has closed;
      // a setImmediate runs in between, while the pool still counts the connection open.
      const inTheGap = new Promise<string>((resolve) => {
        lost.once("error", () => setImmediate(() => resolve(outcome(client`select 2`.execute()))));
      });
      lost.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
      expect(await inTheGap).toBe("rejected");
      // The pool reconnects for the next statement.
      expect(await outcome(client`select 3`.execute())).toBe("resolved");
    } finally {
      await client.end({ timeout: 1 });
    }
  });

  it("a reserved connection that dies rejects its statements and is not handed out again", async () => {
    const client = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const reserved = await client.reserve();
      const [{ pid }] = await reserved<[{ pid: number }]>`select pg_backend_pid() as pid`;
      await admin`select pg_terminate_backend(${pid})`;
      // The server's goodbye may arrive after the next statement is sent.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await outcome(reserved`select 1`.execute())).toBe("rejected");
      reserved.release();
      expect(await outcome(client`select 2`.execute())).toBe("resolved");
      // And a new reservation gets a live connection.
      const again = await client.reserve();
      expect(await outcome(again`select 3`.execute())).toBe("resolved");
      again.release();
    } finally {
      await client.end({ timeout: 1 });
    }
  });

  it("a transaction whose connection dies fails, and the next statements run", async () => {
    // The product's own handle: pipelined BEGIN on a reserved connection (ADR 8).
    const handle = await createDatabase({ url, poolSize: 2 });
    try {
      const failed = handle.db.transaction(async (tx) => {
        const [row] = (await tx.execute(drizzleSql`select pg_backend_pid() as pid`)) as unknown as [
          { pid: number },
        ];
        await admin`select pg_terminate_backend(${row.pid})`;
        await new Promise((resolve) => setTimeout(resolve, 100));
        await tx.execute(drizzleSql`select 1`);
      });
      expect(await outcome(failed)).toBe("rejected");
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, n) =>
          outcome(handle.db.execute(drizzleSql`select ${n}::int as n`)),
        ),
      );
      expect(results).toEqual(["resolved", "resolved", "resolved", "resolved"]);
    } finally {
      await handle.close();
    }
  });
});
