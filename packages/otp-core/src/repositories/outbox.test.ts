import { describe, expect, it } from "vitest";
import {
  createTestService,
  defineDatabaseSuite,
  readOutbox,
  resolveTestPostgres,
  T0,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
} from "../testing/index.js";
import {
  claimDueEmails,
  countOutboxByStatus,
  markEmailSent,
  markEmailsSent,
  nextEmailDueAt,
  scheduleEmailRetry,
  settleEmailUnsent,
  UNSENT_REASONS,
} from "./outbox.js";

const server = await resolveTestPostgres();
const backends: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];
if (!server.available)
  console.warn(`[otp-core] outbox tests on PostgreSQL skipped: ${server.reason}`);

describe.each(backends)("outbox claims (%s)", (backend) => {
  let database: TestDatabase;
  let clock: TestClock;
  defineDatabaseSuite(backend, server.available ? server.url : undefined, (suite) => {
    ({ database, clock } = suite);
  });

  async function queue(count: number): Promise<void> {
    const service = createTestService(database, { clock: clock.now });
    for (let i = 0; i < count; i++) {
      await service.register({ email: `user${i}@example.com`, password: "a long enough password" });
    }
  }

  it("claims due rows once, pushes them past the lease, and counts the attempt", async () => {
    await queue(3);
    const first = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 10,
      leaseSeconds: 60,
    });
    expect(first).toHaveLength(3);
    expect(first.every((row) => row.attempts === 1 && row.codeLive)).toBe(true);
    expect(
      await claimDueEmails(database.db, { now: clock.now(), limit: 10, leaseSeconds: 60 }),
    ).toEqual([]);
    clock.advanceSeconds(60);
    const again = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 10,
      leaseSeconds: 60,
    });
    expect(again.map((row) => row.attempts)).toEqual([2, 2, 2]);
  });

  it("marks sent and scrubs the payload; a stale claim cannot settle", async () => {
    await queue(1);
    const [row] = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 1,
      leaseSeconds: 60,
    });
    if (row === undefined) throw new Error("nothing claimed");
    expect(
      await markEmailSent(database.db, {
        id: row.id,
        attempts: row.attempts + 1,
        now: clock.now(),
      }),
    ).toBe(false);
    expect(
      await markEmailSent(database.db, { id: row.id, attempts: row.attempts, now: clock.now() }),
    ).toBe(true);
    const [stored] = await readOutbox(database, TEST_SECRET);
    expect(stored).toMatchObject({ status: "SENT", payload: null, message: null });
    expect(await countOutboxByStatus(database.db)).toMatchObject({ SENT: 1, PENDING: 0 });
  });

  it("marks many rows sent in one statement; a stale claim is left alone and not returned", async () => {
    await queue(3);
    const claimed = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 10,
      leaseSeconds: 60,
    });
    const [first, stale, third] = claimed;
    if (first === undefined || stale === undefined || third === undefined) {
      throw new Error("not claimed");
    }
    let statements = 0;
    const counting = {
      execute: ((query) => {
        statements += 1;
        return database.db.execute(query);
      }) as typeof database.db.execute,
    };
    clock.advanceSeconds(2);

    const settled = await markEmailsSent(counting, {
      rows: [
        { id: first.id, attempts: first.attempts },
        { id: stale.id, attempts: stale.attempts - 1 },
        { id: third.id, attempts: third.attempts },
      ],
      now: clock.now(),
    });

    expect(statements).toBe(1);
    expect(settled).toEqual(new Set([first.id, third.id]));
    const rows = new Map((await readOutbox(database, TEST_SECRET)).map((row) => [row.id, row]));
    for (const id of [first.id, third.id]) {
      expect(rows.get(id)).toMatchObject({
        status: "SENT",
        payload: null,
        message: null,
        lastError: null,
        sentAt: clock.now(),
      });
    }
    expect(rows.get(stale.id)).toMatchObject({ status: "PENDING", attempts: 1, sentAt: null });
    expect(rows.get(stale.id)?.payload).not.toBeNull();

    // Already SENT: settling again changes nothing and reports nothing.
    expect(
      await markEmailsSent(database.db, {
        rows: [{ id: first.id, attempts: first.attempts }],
        now: clock.now(),
      }),
    ).toEqual(new Set());
    expect(await countOutboxByStatus(database.db)).toMatchObject({ SENT: 2, PENDING: 1 });
  });

  it("does not mark a row SENT once it was given up meanwhile (only PENDING rows settle)", async () => {
    await queue(1);
    const [row] = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 1,
      leaseSeconds: 60,
    });
    if (row === undefined) throw new Error("nothing claimed");
    await settleEmailUnsent(database.db, {
      id: row.id,
      attempts: row.attempts,
      status: "EXPIRED",
      error: "expired",
    });
    expect(
      await markEmailsSent(database.db, {
        rows: [{ id: row.id, attempts: row.attempts }],
        now: clock.now(),
      }),
    ).toEqual(new Set());
    const [stored] = await readOutbox(database, TEST_SECRET);
    expect(stored).toMatchObject({ status: "EXPIRED", sentAt: null });
  });

  it("an empty list settles nothing and runs no statement", async () => {
    let statements = 0;
    const counting = {
      execute: ((query) => {
        statements += 1;
        return database.db.execute(query);
      }) as typeof database.db.execute,
    };
    expect(await markEmailsSent(counting, { rows: [], now: clock.now() })).toEqual(new Set());
    expect(statements).toBe(0);
  });

  it("retries later, and gives up with the payload scrubbed", async () => {
    await queue(1);
    const [row] = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 1,
      leaseSeconds: 60,
    });
    if (row === undefined) throw new Error("nothing claimed");
    const retryAt = new Date(T0.getTime() + 5000);
    await scheduleEmailRetry(database.db, {
      id: row.id,
      attempts: row.attempts,
      retryAt,
      error: "smtp down",
    });
    expect(await nextEmailDueAt(database.db)).toEqual(retryAt);
    await settleEmailUnsent(database.db, {
      id: row.id,
      attempts: row.attempts,
      status: "FAILED",
      error: "gave up",
    });
    const [stored] = await readOutbox(database, TEST_SECRET);
    expect(stored).toMatchObject({ status: "FAILED", payload: null, lastError: "gave up" });
    expect(await nextEmailDueAt(database.db)).toBeNull();
  });

  it("reports a replaced code as no longer live", async () => {
    const service = createTestService(database, { clock: clock.now });
    await service.register({ email: "ada@example.com", password: "a long enough password" });
    await service.resendCode({ email: "ada@example.com" });
    const claimed = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 10,
      leaseSeconds: 60,
    });
    expect(claimed.map((row) => row.codeLive).sort()).toEqual([false, true]);
    // The replaced code's email is settled by the claim itself: no statement of its own.
    const dead = claimed.find((row) => !row.codeLive);
    expect(dead).toMatchObject({ status: "SUPERSEDED", payload: null });
    const stored = await readOutbox(database, TEST_SECRET);
    expect(stored.map((row) => row.status).sort()).toEqual(["PENDING", "SUPERSEDED"]);
    expect(stored.find((row) => row.status === "SUPERSEDED")).toMatchObject({
      payload: null,
      lastError: UNSENT_REASONS.SUPERSEDED,
    });
  });

  it("settles an email whose code expired in the claim itself", async () => {
    const service = createTestService(database, { clock: clock.now });
    await service.register({ email: "ada@example.com", password: "a long enough password" });
    clock.advanceSeconds(24 * 3600);
    const [row] = await claimDueEmails(database.db, {
      now: clock.now(),
      limit: 10,
      leaseSeconds: 60,
    });
    expect(row).toMatchObject({ status: "EXPIRED", payload: null, attempts: 1 });
    const [stored] = await readOutbox(database, TEST_SECRET);
    expect(stored).toMatchObject({ status: "EXPIRED", lastError: UNSENT_REASONS.EXPIRED });
    expect(await nextEmailDueAt(database.db)).toBeNull();
  });

  it.runIf(backend === "postgres")(
    "concurrent claims never share a row (SKIP LOCKED)",
    async () => {
      await queue(40);
      const claims = await Promise.all(
        Array.from({ length: 8 }, () =>
          claimDueEmails(database.db, { now: clock.now(), limit: 10, leaseSeconds: 60 }),
        ),
      );
      const ids = claims.flat().map((row) => row.id);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    },
  );
});
