/**
 * Retry delays: exponential backoff with "full jitter" (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"). The delay before retry number `attempt`
 * is drawn uniformly from [0, min(cap, base * factor^(attempt - 1))), so
 * dispatchers that failed together do not retry together.
 */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** How much the ceiling grows per failed attempt. */
  factor: number;
  /** The ceiling never exceeds this. */
  capMs: number;
}

/** Base 1 s, factor 2, cap 5 minutes. */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 1_000,
  factor: 2,
  capMs: 5 * 60_000,
});

/** The upper bound (exclusive) of the delay after `attempt` failed attempts. */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a whole number from 1, got ${attempt}`);
  }
  validatePolicy(policy);
  // factor ** large overflows to Infinity, which the cap absorbs.
  return Math.min(policy.capMs, policy.baseMs * policy.factor ** (attempt - 1));
}

/**
 * Milliseconds to wait before retrying after `attempt` failed attempts (1 for
 * the first failure). `random` is a number in [0, 1), such as `Math.random()`;
 * passing it in keeps this function pure.
 */
export function retryDelayMs(
  attempt: number,
  random: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  if (!Number.isFinite(random) || random < 0 || random >= 1) {
    throw new RangeError(`random must be in [0, 1), got ${random}`);
  }
  return Math.floor(random * backoffCeilingMs(attempt, policy));
}

function validatePolicy(policy: BackoffPolicy): void {
  const { baseMs, factor, capMs } = policy;
  if (!(Number.isFinite(baseMs) && baseMs > 0)) {
    throw new RangeError(`backoff baseMs must be positive, got ${baseMs}`);
  }
  if (!(Number.isFinite(factor) && factor >= 1)) {
    throw new RangeError(`backoff factor must be at least 1, got ${factor}`);
  }
  if (!(Number.isFinite(capMs) && capMs >= baseMs)) {
    throw new RangeError(`backoff capMs must be at least baseMs, got ${capMs}`);
  }
}
