/**
 * Several dispatchers on one PostgreSQL database (as several processes would
 * run them: each with its own connection pool, LISTEN connection and SMTP
 * transport) never send a message twice.
 */
import { createOtpService } from "@otp/core";
import { createDatabase, type DatabaseHandle } from "@otp/core/db";
import {
  captureLogger,
  cheapArgon2,
  createTestDatabase,
  type LogLine,
  readOutbox,
  resolveTestPostgres,
  TEST_SECRET,
  type TestDatabase,
} from "@otp/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDispatcher, type Dispatcher, type DispatcherOptions } from "../src/dispatcher.js";
import {
  createSmtpServer,
  renderer,
  smtpTransportTo,
  type TestSmtpServer,
  waitFor,
} from "./support.js";

const server = await resolveTestPostgres();
if (!server.available) console.warn(`[delivery] PostgreSQL tests skipped: ${server.reason}`);

const N = 40;
const recipients = Array.from({ length: N }, (_, i) => `user${i}@example.com`);

describe.skipIf(!server.available)("several dispatchers on one PostgreSQL database", () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await createTestDatabase("postgres", server.available ? server.url : undefined);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
    smtp = await createSmtpServer();
    cleanups.push(() => smtp.stop());
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A dispatcher with its own database connections and SMTP transport, like another process. */
  async function dispatcherProcess(
    logs: LogLine[],
    overrides: Partial<DispatcherOptions> = {},
  ): Promise<Dispatcher> {
    const handle: DatabaseHandle = await createDatabase({ url: database.url ?? "", poolSize: 4 });
    cleanups.push(() => handle.close());
    const transport = smtpTransportTo(smtp);
    cleanups.push(() => transport.close());
    const dispatcher = createDispatcher({
      database: handle,
      secret: TEST_SECRET,
      renderer,
      transport,
      logger: captureLogger(logs),
      ...overrides,
    });
    cleanups.push(() => dispatcher.stop());
    return dispatcher;
  }

  async function queueAll(): Promise<void> {
    const otp = createOtpService({
      db: database.db,
      secret: TEST_SECRET,
      passwordHasher: cheapArgon2,
      logger: captureLogger([]),
    });
    // Eight at a time, so the queue fills while the dispatchers work.
    for (let i = 0; i < N; i += 8) {
      await Promise.all(
        recipients
          .slice(i, i + 8)
          .map((email) => otp.register({ email, password: "a long enough password" })),
      );
    }
  }

  function expectEachDeliveredOnce(): void {
    const counts = new Map<string, number>();
    for (const mail of smtp.received) counts.set(mail.to, (counts.get(mail.to) ?? 0) + 1);
    expect([...counts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(smtp.received).toHaveLength(N);
    for (const email of recipients) expect(counts.get(email)).toBe(1);
  }

  function sentBy(logs: LogLine[]): number {
    return logs.filter((line) => line.message === "outbox: email sent").length;
  }

  it(`two running dispatchers deliver ${N} messages exactly once`, async () => {
    const logsA: LogLine[] = [];
    const logsB: LogLine[] = [];
    const a = await dispatcherProcess(logsA, { batchSize: 5 });
    const b = await dispatcherProcess(logsB, { batchSize: 5 });
    await Promise.all([a.start(), b.start()]);

    await queueAll();
    await waitFor(
      `all ${N} rows SENT`,
      async () => {
        const rows = await readOutbox(database, TEST_SECRET);
        return rows.length === N && rows.every((row) => row.status === "SENT");
      },
      { timeoutMs: 30_000 },
    );
    await Promise.all([a.stop(), b.stop()]);

    expectEachDeliveredOnce();
    expect(sentBy(logsA) + sentBy(logsB)).toBe(N);
    const rows = await readOutbox(database, TEST_SECRET);
    expect(rows.every((row) => row.payload === null && row.attempts === 1)).toBe(true);
    console.info(`[delivery] running dispatchers sent ${sentBy(logsA)} + ${sentBy(logsB)}`);
  });

  it(`two dispatchers draining at once split ${N} queued messages without overlap`, async () => {
    await queueAll();
    const a = await dispatcherProcess([], { batchSize: 3 });
    const b = await dispatcherProcess([], { batchSize: 3 });

    const [reportA, reportB] = await Promise.all([a.drain(), b.drain()]);

    expect(reportA.sent + reportB.sent).toBe(N);
    expect(reportA.retried + reportB.retried + reportA.failed + reportB.failed).toBe(0);
    expectEachDeliveredOnce();
    const rows = await readOutbox(database, TEST_SECRET);
    expect(rows.every((row) => row.status === "SENT" && row.payload === null)).toBe(true);
    console.info(`[delivery] concurrent drains sent ${reportA.sent} + ${reportB.sent}`);
  });
});
