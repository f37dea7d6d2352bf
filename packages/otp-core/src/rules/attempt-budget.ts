import type { PasscodePolicy } from "./policy.js";

/**
 * The failed-attempt budget of one (user, code type): a fixed window that opens
 * at the first attempt and lasts `attemptWindowSeconds`. A guess spends one unit
 * before it is compared (so parallel guesses cannot overdraw the budget) and a
 * correct code gives its unit back. The repository applies exactly this rule in
 * one conditional upsert; this is the model it follows and the tests check.
 */
export interface AttemptWindow {
  windowStartedAt: Date;
  /** Units spent in this window: failures, plus guesses still being checked. */
  failures: number;
}

export type AttemptDecision =
  | { allowed: true; next: AttemptWindow; attemptsLeft: number }
  | { allowed: false; retryAt: Date };

/** Windows that started at or before this instant are over. */
export function attemptWindowCutoff(now: Date, policy: PasscodePolicy): Date {
  return new Date(now.getTime() - policy.attemptWindowSeconds * 1000);
}

export function attemptRetryAt(windowStartedAt: Date, policy: PasscodePolicy): Date {
  return new Date(windowStartedAt.getTime() + policy.attemptWindowSeconds * 1000);
}

export function decideAttempt(
  current: AttemptWindow | null,
  now: Date,
  policy: PasscodePolicy,
): AttemptDecision {
  const windowOver =
    current === null ||
    current.windowStartedAt.getTime() <= attemptWindowCutoff(now, policy).getTime();
  if (windowOver) {
    return {
      allowed: true,
      next: { windowStartedAt: now, failures: 1 },
      attemptsLeft: policy.maxFailedAttempts - 1,
    };
  }
  if (current.failures >= policy.maxFailedAttempts) {
    return { allowed: false, retryAt: attemptRetryAt(current.windowStartedAt, policy) };
  }
  const failures = current.failures + 1;
  return {
    allowed: true,
    next: { windowStartedAt: current.windowStartedAt, failures },
    attemptsLeft: policy.maxFailedAttempts - failures,
  };
}
