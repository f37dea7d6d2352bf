import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AttemptWindow, decideAttempt } from "./attempt-budget.js";
import { resolvePolicy } from "./policy.js";

const policy = resolvePolicy();
const t0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function spend(window: AttemptWindow | null, now: Date) {
  const decision = decideAttempt(window, now, policy);
  return { decision, window: decision.allowed ? decision.next : window };
}

describe("decideAttempt", () => {
  it("allows 5 attempts in 15 minutes by default, then refuses until the window ends", () => {
    let window: AttemptWindow | null = null;
    for (let i = 1; i <= 5; i++) {
      const step = spend(window, at(i));
      expect(step.decision).toMatchObject({ allowed: true, attemptsLeft: 5 - i });
      window = step.window;
    }
    const refused = decideAttempt(window, at(60), policy);
    expect(refused).toEqual({ allowed: false, retryAt: at(1 + 900) });
    expect(decideAttempt(window, at(900), policy).allowed).toBe(false);
    expect(decideAttempt(window, at(901), policy)).toMatchObject({
      allowed: true,
      attemptsLeft: 4,
    });
  });

  it("never allows more than the budget inside one window, whatever the timing (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 * 3600 }), { maxLength: 60 }), (offsets) => {
        const times = [...offsets].sort((a, b) => a - b);
        let window: AttemptWindow | null = null;
        const allowedTimes: number[] = [];
        for (const t of times) {
          const step = spend(window, at(t));
          if (step.decision.allowed) allowedTimes.push(t);
          window = step.window;
        }
        // Any span shorter than one window holds at most twice the budget (two
        // adjacent fixed windows), and each window on its own at most the budget.
        for (const start of allowedTimes) {
          const inSpan = allowedTimes.filter(
            (t) => t >= start && t < start + policy.attemptWindowSeconds,
          );
          expect(inSpan.length).toBeLessThanOrEqual(2 * policy.maxFailedAttempts);
        }
        expect(window === null || window.failures <= policy.maxFailedAttempts).toBe(true);
      }),
    );
  });
});
