/**
 * SMTP faults: the real SMTP server the API sends through goes down, answers
 * slowly, or refuses with 451 (temporary). Throughout, the API answers
 * promptly (a request only queues its email in the outbox, it never waits for
 * SMTP) and /readyz stays 200; when the server recovers, every message is
 * retried and delivered exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiProcess } from "../src/api-process.js";
import { NO_VIOLATIONS, violationsOf } from "../src/database.js";
import { SERVER_URL } from "../src/environment.js";
import { type Answer, median, register, request, round, waitFor } from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";

const BATCH = 10;
/**
 * "Promptly": no slower than twice the slowest answer of the same batch with a
 * healthy SMTP server, and never above 1 s unless the baseline itself was (a
 * request that waited for the slow server would take 3 s or more).
 */
const promptBoundMs = (baselineMaxMs: number) => Math.max(1_000, 2 * baselineMaxMs);
const DELIVERY_BOUND_MS = 45_000;

describe.skipIf(SERVER_URL === undefined)("SMTP faults (real SMTP server, PostgreSQL)", () => {
  let s: Scenario;
  let api: ApiProcess;
  const all: Answer[] = [];
  let baselineMedianMs = 0;
  let baselineMaxMs = 0;

  /** Registers BATCH new addresses at once; returns them with the answers' timings. */
  const registerBatch = async (label: string) => {
    const emails = Array.from({ length: BATCH }, () => s.address(label));
    const answers = await Promise.all(
      emails.map((email, i) =>
        register(api.url, i % 2 === 0 ? "rest" : "trpc", email, s.password()),
      ),
    );
    all.push(...answers);
    expect(answers.map((a) => a.status)).toEqual(emails.map((_, i) => (i % 2 === 0 ? 201 : 200)));
    const ms = answers.map((a) => a.ms);
    return { emails, medianMs: round(median(ms)), maxMs: round(Math.max(...ms)) };
  };

  /** Waits until each address has its code, then checks each arrived exactly once. */
  const deliveredOnce = async (emails: string[]) => {
    const started = performance.now();
    await waitFor(
      "every message to arrive",
      () => emails.every((email) => s.sink.codesFor(email).length > 0),
      { timeoutMs: DELIVERY_BOUND_MS, intervalMs: 100 },
    );
    const waitedMs = performance.now() - started;
    // Give a duplicate, if any, the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = emails.map((email) => s.sink.codesFor(email).length);
    expect(counts).toEqual(emails.map(() => 1));
    for (const email of emails) expect(await s.liveCode(email)).toBe(s.sink.codesFor(email)[0]);
    return round(waitedMs);
  };

  const rowsFor = (emails: string[]) =>
    s.db.sql<Array<{ status: string; attempts: number; last_error: string | null }>>`
      SELECT o.status::text AS status, o.attempts, o.last_error FROM email_outbox o
      JOIN passcodes p ON p.id = o.passcode_id JOIN users u ON u.id = p.user_id
      WHERE u.email = ANY(${emails})`;

  const readyz = async () => {
    const answer = await request(api.url, "/readyz", undefined, { method: "GET" });
    all.push(answer);
    return answer.status;
  };

  beforeAll(async () => {
    s = await createScenario("smtp-faults");
    api = await s.startApi("api", { RATE_LIMIT_ENABLED: "false", OTP_SEND_LIMIT: "1000" });
    const baseline = await registerBatch("baseline");
    baselineMedianMs = baseline.medianMs;
    baselineMaxMs = baseline.maxMs;
    const deliveredInMs = await deliveredOnce(baseline.emails);
    s.figures.baseline = { ...baseline, emails: BATCH, deliveredInMs };
  });

  afterAll(async () => {
    await s?.close();
  });

  it("server down: the API answers promptly, retries, and delivers each message once when it is back", async () => {
    await s.sink.stop();
    const batch = await registerBatch("down");
    expect(await readyz()).toBe(200);
    const failing = await waitFor(
      "delivery attempts to fail",
      async () => {
        const rows = await rowsFor(batch.emails);
        return rows.length === BATCH &&
          rows.every((r) => r.status === "PENDING" && r.attempts >= 1 && r.last_error !== null)
          ? rows
          : null;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await s.sink.start();
    const deliveredInMs = await deliveredOnce(batch.emails);
    const rows = await rowsFor(batch.emails);
    s.figures.down = {
      ...batch,
      emails: BATCH,
      baselineMedianMs,
      lastError: failing[0]?.last_error?.slice(0, 120),
      attempts: rows.map((r) => r.attempts),
      deliveredAfterRecoveryMs: deliveredInMs,
    };
    expect(batch.maxMs).toBeLessThan(promptBoundMs(baselineMaxMs));
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => "SENT"));
    expect(Math.min(...rows.map((r) => r.attempts))).toBeGreaterThanOrEqual(2);
  });

  it("server slow (1.5 s greeting and 1.5 s per message): the API answers promptly; each message delivered once", async () => {
    s.sink.setMode({ kind: "slow", delayMs: 1_500 });
    // Pooled connections opened before the slowdown would skip the slow greeting: start fresh.
    await s.sink.stop();
    await s.sink.start();
    const batch = await registerBatch("slow");
    expect(await readyz()).toBe(200);
    const deliveredInMs = await deliveredOnce(batch.emails);
    s.sink.setMode({ kind: "accept" });
    s.figures.slow = { ...batch, emails: BATCH, baselineMedianMs, deliveredInMs };
    expect(batch.maxMs).toBeLessThan(promptBoundMs(baselineMaxMs));
  });

  it("server refusing with 451 (temporary): the API answers promptly; retried and delivered once after it accepts again", async () => {
    s.sink.setMode({ kind: "reject-temporarily" });
    const refusalsBefore = s.sink.refusals;
    const batch = await registerBatch("refused");
    expect(await readyz()).toBe(200);
    await waitFor(
      "each message to be refused at least once",
      async () => {
        const rows = await rowsFor(batch.emails);
        return rows.every((r) => r.last_error?.includes("451")) ? rows : null;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    s.sink.setMode({ kind: "accept" });
    const deliveredInMs = await deliveredOnce(batch.emails);
    const rows = await rowsFor(batch.emails);
    s.figures.refused = {
      ...batch,
      emails: BATCH,
      baselineMedianMs,
      refusals: s.sink.refusals - refusalsBefore,
      attempts: rows.map((r) => r.attempts),
      deliveredAfterRecoveryMs: deliveredInMs,
    };
    expect(batch.maxMs).toBeLessThan(promptBoundMs(baselineMaxMs));
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => "SENT"));
  });

  it("never answered 5xx; no message twice anywhere; the invariants hold", async () => {
    expect(all.filter((a) => a.status >= 500)).toEqual([]);
    expect([...s.sink.countsByMessage().values()].filter((n) => n > 1)).toEqual([]);
    s.figures.requests = all.length;
    s.figures.emailsReceived = s.sink.arrivals.length;
  });

  it("leaves no code, password or secret in logs or answers, and no plaintext code in the database", async () => {
    const { invariants, plaintext, leaks } = await s.closingChecks();
    expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    expect(plaintext.hits).toEqual([]);
    expect(leaks.leaks).toEqual([]);
  });
});
