/**
 * Brute force through the API: the failed-attempt budget (5 per account and
 * code type per 15 minutes, spent before the comparison) stops guessing, a
 * resend does not give it back, and two API processes on one database share
 * it, in turn and in parallel. Per-IP limits are off here, so the budget alone
 * is what stops the guesses.
 */
import { restPath, trpcPath } from "@otp/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiProcess } from "../src/api-process.js";
import { NO_VIOLATIONS, violationsOf } from "../src/database.js";
import { SERVER_URL } from "../src/environment.js";
import {
  type Answer,
  register,
  request,
  resendCode,
  type Surface,
  sessionCookieOf,
  verifyEmail,
} from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";

const BUDGET = 5;
const PARALLEL_GUESSES = 60;

/** A well-formed 8-digit code that is not `avoid`. */
function wrongCode(avoid: string): string {
  for (;;) {
    const guess = String(Math.floor(Math.random() * 100_000_000)).padStart(8, "0");
    if (guess !== avoid) return guess;
  }
}

describe.skipIf(SERVER_URL === undefined)("brute force (two API processes, PostgreSQL)", () => {
  let s: Scenario;
  let a: ApiProcess;
  let b: ApiProcess;
  const all: Answer[] = [];
  let guessesAccepted = 0;

  /** Process and surface for the i-th request: A/REST, B/tRPC, A/tRPC, B/REST, ... */
  const route = (i: number): { url: string; surface: Surface } => ({
    url: i % 2 === 0 ? a.url : b.url,
    surface: i % 4 < 2 ? "rest" : "trpc",
  });

  const guess = async (i: number, email: string, code: string) => {
    const { url, surface } = route(i);
    const answer = await verifyEmail(url, surface, email, code);
    all.push(answer);
    if (answer.errorCode === "OTP_INVALID") guessesAccepted += 1;
    return answer;
  };

  const newAccount = async (label: string) => {
    const email = s.address(label);
    all.push(await register(a.url, "rest", email, s.password()));
    return { email, code: await s.liveCode(email) };
  };

  const attemptsLeft = (answer: Answer) =>
    (answer.json as { error?: { attemptsLeft?: number; data?: { attemptsLeft?: number } } }).error
      ?.attemptsLeft ??
    (answer.json as { error?: { data?: { attemptsLeft?: number } } }).error?.data?.attemptsLeft;

  beforeAll(async () => {
    s = await createScenario("brute-force");
    const env = { RATE_LIMIT_ENABLED: "false", OTP_SEND_LIMIT: "100" };
    [a, b] = await Promise.all([s.startApi("api-a", env), s.startApi("api-b", env)]);
  });

  afterAll(async () => {
    await s?.close();
  });

  it("guesses alternating between two processes stop at the budget; then even the right code is refused", async () => {
    const { email, code } = await newAccount("guessed");
    const left: Array<number | undefined> = [];
    for (let i = 0; i < BUDGET; i++) {
      const answer = await guess(i, email, wrongCode(code));
      expect(answer.status).toBe(400);
      expect(answer.errorCode).toBe("OTP_INVALID");
      left.push(attemptsLeft(answer));
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);

    const sixth = await guess(BUDGET, email, wrongCode(code));
    expect(sixth.status).toBe(429);
    expect(sixth.errorCode).toBe("TOO_MANY_ATTEMPTS");
    const retryAfter = Number(sixth.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);

    for (let i = 0; i < 4; i++) {
      const right = await guess(i, email, code);
      expect(right.status).toBe(429);
      expect(right.errorCode).toBe("TOO_MANY_ATTEMPTS");
    }
    const [user] = await s.db.sql<Array<{ is_verified: boolean }>>`
      SELECT is_verified FROM users WHERE email = ${email}`;
    expect(user?.is_verified).toBe(false);
  });

  it("a resend does not restore the budget (3 wrong, resend, 2 wrong, then the new right code is refused)", async () => {
    const { email, code } = await newAccount("resender");
    for (let i = 0; i < 3; i++)
      expect((await guess(i, email, wrongCode(code))).errorCode).toBe("OTP_INVALID");

    const resent = await resendCode(b.url, "trpc", email);
    all.push(resent);
    expect(resent.status).toBe(200);
    const fresh = await s.liveCode(email);
    expect(fresh).not.toBe(code);

    const fourth = await guess(1, email, wrongCode(fresh));
    expect(attemptsLeft(fourth)).toBe(1);
    const fifth = await guess(2, email, wrongCode(fresh));
    expect(attemptsLeft(fifth)).toBe(0);

    // Resending again and again changes nothing either.
    for (let i = 0; i < 3; i++)
      all.push(await resendCode(i % 2 === 0 ? a.url : b.url, "rest", email));
    const newest = await s.liveCode(email);
    const right = await guess(3, email, newest);
    expect(right.status).toBe(429);
    expect(right.errorCode).toBe("TOO_MANY_ATTEMPTS");
  });

  it(`${PARALLEL_GUESSES} parallel wrong guesses across both processes: exactly ${BUDGET} are compared`, async () => {
    const { email, code } = await newAccount("parallel");
    const answers = await Promise.all(
      Array.from({ length: PARALLEL_GUESSES }, (_, i) => guess(i, email, wrongCode(code))),
    );
    const counts: Record<string, number> = {};
    for (const answer of answers)
      counts[answer.errorCode ?? String(answer.status)] =
        (counts[answer.errorCode ?? String(answer.status)] ?? 0) + 1;
    expect(counts).toEqual({ OTP_INVALID: BUDGET, TOO_MANY_ATTEMPTS: PARALLEL_GUESSES - BUDGET });
    const [attempts] = await s.db.sql<Array<{ failures: number }>>`
      SELECT a.failures FROM otp_attempts a JOIN users u ON u.id = a.user_id WHERE u.email = ${email}`;
    expect(attempts?.failures).toBe(BUDGET);

    const right = await guess(1, email, code);
    expect(right.errorCode).toBe("TOO_MANY_ATTEMPTS");
    s.figures.parallelGuesses = { requests: PARALLEL_GUESSES, answers: counts, processes: 2 };
  });

  // The two code types that give a session: each has its own budget, and neither is restored by
  // asking for a new code (docs/SECURITY.md counts both in the bound).
  const takeoverFlows = [
    {
      codeType: "SIGN_IN",
      request: {
        rest: restPath("auth.requestSignInCode"),
        trpc: trpcPath("auth.requestSignInCode"),
      },
      guess: (surface: Surface, email: string, code: string) =>
        surface === "rest"
          ? { path: restPath("auth.signInWithCode"), body: { email, otp: code } }
          : { path: trpcPath("auth.signInWithCode"), body: { email, code } },
    },
    {
      codeType: "PASSWORD_RESET",
      request: {
        rest: restPath("auth.requestPasswordReset"),
        trpc: trpcPath("auth.requestPasswordReset"),
      },
      guess: (surface: Surface, email: string, code: string) =>
        surface === "rest"
          ? {
              path: restPath("auth.resetPassword"),
              body: { email, otp: code, password: "a brand new password" },
            }
          : {
              path: trpcPath("auth.resetPassword"),
              body: { email, code, newPassword: "a brand new password" },
            },
    },
  ] as const;

  for (const flow of takeoverFlows) {
    it(`${flow.codeType} codes: 5 guesses across both processes, a new code does not restore them, the right one is refused`, async () => {
      const { email, code } = await newAccount(`takeover-${flow.codeType.toLowerCase()}`);
      all.push(await verifyEmail(a.url, "rest", email, code));
      all.push(await request(a.url, flow.request.rest, { email }));
      const first = await s.liveCode(email, { codeType: flow.codeType });
      const left: Array<number | undefined> = [];
      for (let i = 0; i < BUDGET; i++) {
        const { url, surface } = route(i);
        const { path, body } = flow.guess(surface, email, wrongCode(first));
        const answer = await request(url, path, body);
        all.push(answer);
        if (answer.errorCode === "OTP_INVALID") guessesAccepted += 1;
        left.push(attemptsLeft(answer));
      }
      expect(left).toEqual([4, 3, 2, 1, 0]);
      all.push(await request(b.url, flow.request.trpc, { email }));
      const fresh = await s.liveCode(email, { codeType: flow.codeType });
      expect(fresh).not.toBe(first);
      for (const surface of ["rest", "trpc"] as const) {
        const { path, body } = flow.guess(surface, email, fresh);
        const answer = await request(surface === "rest" ? a.url : b.url, path, body);
        all.push(answer);
        expect(answer.errorCode).toBe("TOO_MANY_ATTEMPTS");
        expect(sessionCookieOf(answer)).toBeNull();
      }
    });
  }

  it("a fresh account verifies with its code on either process after wrong guesses within the budget", async () => {
    const { email, code } = await newAccount("honest");
    for (let i = 0; i < BUDGET - 1; i++) await guess(i, email, wrongCode(code));
    const right = await guess(1, email, code);
    expect(right.status).toBe(200);
  });

  it("never answered 5xx; both processes still run; the invariants hold", async () => {
    expect(all.filter((answer) => answer.status >= 500)).toHaveLength(0);
    expect(a.isRunning() && b.isRunning()).toBe(true);
    s.figures.guesses = {
      requests: all.length,
      guessesCompared: guessesAccepted,
      accounts: 6,
      maxComparedPerAccountPerWindow: BUDGET,
      processes: 2,
    };
  });

  it("leaves no code, password or secret in logs or answers, and no plaintext code in the database", async () => {
    const { invariants, plaintext, leaks } = await s.closingChecks();
    expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    expect(plaintext.hits).toEqual([]);
    expect(leaks.leaks).toEqual([]);
  });
});
