/**
 * Concurrency at scale, through HTTP against a real API process on real
 * PostgreSQL: 200 parallel resends across 20 accounts, then 100 parallel
 * verifications with the right codes, then 100 parallel verifications of one
 * account's code. Per-IP limits are off and the send cap is high, so every
 * request reaches the rules under test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiProcess } from "../src/api-process.js";
import { NO_VIOLATIONS, violationsOf, waitForOutboxSettled } from "../src/database.js";
import { SERVER_URL } from "../src/environment.js";
import {
  type Answer,
  register,
  resendCode,
  type Surface,
  trpcBatch,
  verifyEmail,
} from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";

const USERS = 20;
const RESENDS_PER_USER = 10;
const PARALLEL_SAME_CODE = 100;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const statusesOf = (answers: Answer[]) => {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.status}${a.errorCode === null ? "" : ` ${a.errorCode}`}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

describe.skipIf(SERVER_URL === undefined)("concurrency through HTTP (PostgreSQL)", () => {
  let s: Scenario;
  let api: ApiProcess;
  const emails: string[] = [];
  const all: Answer[] = [];
  const firstCodes = new Map<string, string>();

  beforeAll(async () => {
    s = await createScenario("concurrency");
    api = await s.startApi("api", { RATE_LIMIT_ENABLED: "false", OTP_SEND_LIMIT: "1000" });
    for (let i = 0; i < USERS; i++) emails.push(s.address("user"));
    const registered = await Promise.all(
      emails.map((email, i) =>
        register(api.url, i % 2 === 0 ? "rest" : "trpc", email, s.password()),
      ),
    );
    all.push(...registered);
    // REST answers 201 Created; a tRPC mutation answers 200.
    expect(registered.map((a) => a.status)).toEqual(
      emails.map((_, i) => (i % 2 === 0 ? 201 : 200)),
    );
    // Each owner has their first code in hand before the storm of resends.
    for (const email of emails) firstCodes.set(email, await s.liveCode(email));
  });

  afterAll(async () => {
    await s?.close();
  });

  it("200 parallel resends across 20 users leave exactly one live code per user and type", async () => {
    const calls: Array<() => Promise<Answer>> = [];
    for (const email of emails) {
      for (let r = 0; r < RESENDS_PER_USER; r++) {
        // REST, tRPC, and tRPC batches of one, mixed.
        const kind = r % 3;
        calls.push(() =>
          kind === 2
            ? trpcBatch(api.url, [{ procedure: "auth.resendCode", input: { email } }])
            : resendCode(api.url, kind === 0 ? "rest" : "trpc", email),
        );
      }
    }
    const started = performance.now();
    const answers = await Promise.all(shuffle(calls).map((call) => call()));
    const elapsedMs = performance.now() - started;
    all.push(...answers);

    expect(statusesOf(answers)).toEqual({ "200": USERS * RESENDS_PER_USER });

    const pairs = await s.db.sql<Array<{ email: string; codes: number; unused: number }>>`
      SELECT u.email, count(p.id)::int AS codes, count(p.id) FILTER (WHERE NOT p.is_used)::int AS unused
      FROM users u LEFT JOIN passcodes p ON p.user_id = u.id AND p.code_type = 'VERIFICATION'
      GROUP BY u.email ORDER BY u.email`;
    expect(pairs).toHaveLength(USERS);
    for (const pair of pairs) expect(pair, pair.email).toMatchObject({ codes: 1, unused: 1 });

    // Every accepted request queued its email in the same transaction: none lost.
    const [outbox] = await s.db.sql<
      Array<{ rows: number }>
    >`SELECT count(*)::int AS rows FROM email_outbox`;
    expect(outbox?.rows).toBe(USERS * (1 + RESENDS_PER_USER));

    s.figures.resends = {
      requests: answers.length,
      users: USERS,
      elapsedMs: Math.round(elapsedMs),
      statuses: statusesOf(answers),
      liveCodesPerUser: 1,
      outboxRows: outbox?.rows,
    };
  });

  it("each email is delivered at most once and only the live code is kept; old codes fail", async () => {
    const settled = await waitForOutboxSettled(s.db, "every outbox row to settle", {
      timeoutMs: 60_000,
    });
    // Sent or skipped because a newer code replaced it; never failed, never twice.
    expect(Object.keys(settled).sort()).toEqual(
      Object.keys(settled)
        .filter((k) => k === "SENT" || k === "SUPERSEDED")
        .sort(),
    );
    const duplicates = [...s.sink.countsByMessage().values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);
    expect(s.sink.arrivals.length).toBe(settled.SENT);

    // The code each owner received at registration no longer works (rule 6).
    const oldCodeAnswers = await Promise.all(
      emails.map((email) => verifyEmail(api.url, "trpc", email, firstCodes.get(email) ?? "")),
    );
    all.push(...oldCodeAnswers);
    expect(statusesOf(oldCodeAnswers)).toEqual({ "400 OTP_INVALID": USERS });
    s.figures.delivery = { outbox: settled, emailsReceived: s.sink.arrivals.length, duplicates };
  });

  it("100 parallel verifications with the right codes (5 per user) give exactly one success per user", async () => {
    const codes = new Map<string, string>();
    for (const email of emails) codes.set(email, await s.liveCode(email));
    const calls: Array<() => Promise<Answer & { email: string }>> = [];
    for (const email of emails) {
      for (let k = 0; k < 5; k++) {
        const surface: Surface = k % 2 === 0 ? "rest" : "trpc";
        calls.push(async () => ({
          ...(await verifyEmail(api.url, surface, email, codes.get(email) ?? "")),
          email,
        }));
      }
    }
    const answers = await Promise.all(shuffle(calls).map((call) => call()));
    all.push(...answers);
    for (const email of emails) {
      const mine = answers.filter((a) => a.email === email);
      expect(
        mine.filter((a) => a.status === 200),
        email,
      ).toHaveLength(1);
      // Each user already spent a unit on the old code above, so with 5 in flight
      // one may be told to wait (ADR 8); none is a second use.
      expect(
        mine
          .filter((a) => a.status !== 200)
          .every((a) => a.errorCode === "OTP_ALREADY_USED" || a.errorCode === "TOO_MANY_ATTEMPTS"),
        email,
      ).toBe(true);
    }
    const [verified] = await s.db.sql<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM users WHERE is_verified`;
    expect(verified?.n).toBe(USERS);
    s.figures.verifyAcrossUsers = { requests: answers.length, statuses: statusesOf(answers) };
  });

  it("100 parallel verifications of one account's right code give exactly one success", async () => {
    const email = s.address("race");
    all.push(await register(api.url, "rest", email, s.password()));
    const code = await s.liveCode(email);
    const answers = await Promise.all(
      Array.from({ length: PARALLEL_SAME_CODE }, (_, i) =>
        verifyEmail(api.url, i % 2 === 0 ? "rest" : "trpc", email, code),
      ),
    );
    all.push(...answers);
    // One success. The others find the code used, or, while more than the budget's
    // 5 attempts are in flight at once (each holds a unit until its comparison
    // ends, ADR 8), are told to wait: never a second use, never a 5xx.
    const statuses = statusesOf(answers);
    const { "200": successes, ...refusals } = statuses;
    expect(successes).toBe(1);
    expect(
      Object.keys(refusals).filter((k) => !/OTP_ALREADY_USED|TOO_MANY_ATTEMPTS/.test(k)),
    ).toEqual([]);
    expect(Object.values(refusals).reduce((sum, n) => sum + n, 0)).toBe(PARALLEL_SAME_CODE - 1);
    // Losing the race with the right code is not a guess: the budget is untouched.
    const [attempts] = await s.db.sql<Array<{ failures: number }>>`
      SELECT a.failures FROM otp_attempts a JOIN users u ON u.id = a.user_id WHERE u.email = ${email}`;
    expect(attempts?.failures ?? 0).toBe(0);
    s.figures.verifySameCode = { requests: answers.length, statuses: statusesOf(answers) };
  });

  it("never answered 5xx, and the invariants hold", async () => {
    const serverErrors = all.filter((a) => a.status >= 500);
    expect(serverErrors).toHaveLength(0);
    expect(api.isRunning()).toBe(true);
    s.figures.requests = all.length;
    s.figures.serverErrors = serverErrors.length;
  });

  it("leaves no code, password or secret in logs or answers, and no plaintext code in the database", async () => {
    const { invariants, plaintext, leaks } = await s.closingChecks();
    expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    expect(plaintext.hits).toEqual([]);
    expect(leaks.leaks).toEqual([]);
    expect(plaintext.needles).toBeGreaterThan(USERS);
  });
});
