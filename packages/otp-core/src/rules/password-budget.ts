import type { PasscodePolicy } from "./policy.js";

/**
 * The wrong-password budget of one address: at most `passwordMaxFailures`
 * per fixed window of `passwordFailureWindowSeconds`, opened by the first
 * attempt. Keyed by the address's HMAC, so an address without an account is
 * counted exactly alike. A sign-in spends one unit before the password is
 * compared (parallel guesses cannot overdraw it) and a right password gives
 * it back. Past the budget even the right password waits for the window to
 * end. The repository applies this rule in one conditional upsert; this is
 * the model it follows and the tests check.
 */
export interface PasswordWindow {
  windowStartedAt: Date;
  failures: number;
}

export type PasswordAttemptDecision =
  | { allowed: true; next: PasswordWindow }
  | { allowed: false; retryAt: Date };

/** Windows that started at or before this instant are over. */
export function passwordWindowCutoff(now: Date, policy: PasscodePolicy): Date {
  return new Date(now.getTime() - policy.passwordFailureWindowSeconds * 1000);
}

export function passwordRetryAt(windowStartedAt: Date, policy: PasscodePolicy): Date {
  return new Date(windowStartedAt.getTime() + policy.passwordFailureWindowSeconds * 1000);
}

export function decidePasswordAttempt(
  current: PasswordWindow | null,
  now: Date,
  policy: PasscodePolicy,
): PasswordAttemptDecision {
  if (
    current === null ||
    current.windowStartedAt.getTime() <= passwordWindowCutoff(now, policy).getTime()
  ) {
    return { allowed: true, next: { windowStartedAt: now, failures: 1 } };
  }
  if (current.failures >= policy.passwordMaxFailures) {
    return { allowed: false, retryAt: passwordRetryAt(current.windowStartedAt, policy) };
  }
  return {
    allowed: true,
    next: { windowStartedAt: current.windowStartedAt, failures: current.failures + 1 },
  };
}

/** The budget ran out with this failure: the moment the owner is told (once per window). */
export function passwordBudgetExhausted(failures: number, policy: PasscodePolicy): boolean {
  return failures >= policy.passwordMaxFailures;
}
