import type { SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../db/rows.js";
import {
  createTestDatabase,
  createTestService,
  resolveTestPostgres,
  type TestBackend,
  type TestDatabase,
} from "../testing/index.js";
import { OUTBOX_CHANNEL } from "./outbox.js";
import { createOutboxNotifier } from "./outbox-notifier.js";

/** An executor that counts statements and answers each when the test says so. */
function gatedExecutor() {
  const waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let statements = 0;
  const executor = {
    execute: (_statement: SQL) => {
      statements += 1;
      return new Promise<never[]>((resolve, reject) => {
        waiting.push({ resolve: () => resolve([]), reject });
      });
    },
  } as unknown as Executor;
  return {
    executor,
    statements: () => statements,
    answer: () => waiting.shift()?.resolve(),
    fail: (error: Error) => waiting.shift()?.reject(error),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("outbox notifier (coalescing)", () => {
  it("folds calls into one NOTIFY in flight and one after it", async () => {
    const gate = gatedExecutor();
    const notify = createOutboxNotifier(gate.executor, { minIntervalMs: 0 });
    for (let i = 0; i < 100; i++) notify();
    await tick();
    expect(gate.statements()).toBe(1);
    for (let i = 0; i < 100; i++) notify(); // while the first is in flight
    gate.answer();
    await tick();
    expect(gate.statements()).toBe(2);
    gate.answer();
    await notify.settled();
    expect(gate.statements()).toBe(2);
  });

  it("keeps at least minIntervalMs between two NOTIFYs", async () => {
    const gate = gatedExecutor();
    const notify = createOutboxNotifier(gate.executor, { minIntervalMs: 40 });
    notify();
    await tick();
    gate.answer();
    await tick();
    notify();
    await new Promise((resolve) => setTimeout(resolve, 15));
    expect(gate.statements()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(gate.statements()).toBe(2);
    gate.answer();
    await notify.settled();
  });

  it("reports a failed NOTIFY and goes on", async () => {
    const gate = gatedExecutor();
    const errors: unknown[] = [];
    const notify = createOutboxNotifier(gate.executor, {
      minIntervalMs: 0,
      onError: (error) => errors.push(error),
    });
    notify();
    await tick();
    gate.fail(new Error("connection refused"));
    await notify.settled();
    expect(errors).toHaveLength(1);
    notify();
    await tick();
    gate.answer();
    await notify.settled();
    expect(gate.statements()).toBe(2);
  });
});

const server = await resolveTestPostgres();
const backends: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];

describe.each(backends)("outbox notifier wakes listeners (%s)", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend, server.available ? server.url : undefined);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("a queued code reaches a listener on the outbox channel after commit", async () => {
    let heard = 0;
    const unlisten = await database.listen(OUTBOX_CHANNEL, () => {
      heard += 1;
    });
    try {
      await database.reset();
      const service = createTestService(database);
      const result = await service.register({
        email: "bob@example.com",
        password: "a long password",
      });
      expect(result.ok).toBe(true);
      const deadline = Date.now() + 2000;
      while (heard === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(heard).toBeGreaterThanOrEqual(1);
    } finally {
      await unlisten();
    }
  });
});
