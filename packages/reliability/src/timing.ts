/**
 * Telling whether one class of request answers measurably slower or faster
 * than another, on a machine that other work shares.
 *
 * Why paired rounds and the median of their differences: the two classes are
 * sent in the same round, one right after the other in a random order, so a
 * slow stretch of the machine (another process, a GC, a checkpoint) slows both
 * and cancels out in their difference; what noise is left is heavy-tailed
 * (a request that waited for a core takes several times the median), so the
 * median of the differences, not their mean, estimates the shift. Its 99%
 * confidence interval comes from a percentile bootstrap (no assumption on the
 * noise's shape), seeded, so a run's figures can be recomputed.
 *
 * The decision is an equivalence test with two intervals: the classes pass
 * when the 99% interval lies within ±tolerance; they fail when the 99.9%
 * interval lies wholly outside it, or, at the last round allowed, when the 99%
 * interval does (see finalVerdict); rounds are added while neither holds. Tolerance is half the smallest leak to catch (0.2
 * ms, what issue 23 measured), or 3% of the median when the machine is so
 * loaded that answers take many times longer. The wider interval guards the
 * failing side: on a machine shared with a benchmark, where no statistic can
 * see 0.2 ms in a few hundred rounds, a test of twelve comparisons must still
 * not fail by chance (about 1 in 1 000 per comparison). On a quiet machine a
 * 0.2 ms shift leaves the interval wholly outside ±0.1 ms within a few hundred
 * rounds (`test/timing.test.ts` shows both on synthetic heavy-tailed noise,
 * docs/RELIABILITY.md on the running product).
 */

/** The median (the mean of the two middle values of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return sortedMedian([...values].sort((a, b) => a - b));
}

/** The smallest value with at least p% of the values at or below it; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** (largest - smallest) / smallest: how far apart the values are, relative to the smallest. */
export function spreadOf(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / Math.min(...values);
}

/** Seeded PRNG (mulberry32): reproducible resampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sortedMedian(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface ShiftEstimate {
  /** The median of the paired differences, in ms. */
  estimate: number;
  /** Its 99% confidence interval, in ms. */
  low: number;
  high: number;
  /** Its 99.9% confidence interval, in ms (the failing side's). */
  wideLow: number;
  wideHigh: number;
  pairs: number;
}

/** The median paired difference and its bootstrap confidence interval. */
export function pairedShift(
  differences: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): ShiftEstimate {
  const { resamples = 4000, seed = 23 } = options;
  const n = differences.length;
  if (n === 0) throw new Error("pairedShift: no pairs");
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const sample = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = differences[Math.floor(random() * n)] as number;
    sample.sort();
    medians[r] = sortedMedian(sample as unknown as number[]);
  }
  medians.sort();
  const at = (q: number) =>
    medians[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return {
    estimate: median(differences),
    low: at(0.005),
    high: at(0.995),
    wideLow: at(0.0005),
    wideHigh: at(0.9995),
    pairs: n,
  };
}

/** The smallest leak the timing tests must catch: issue 23 measured 0.2 ms. */
export const SMALLEST_LEAK_MS = 0.2;
/** On a loaded machine the tolerance grows with the answers' median (3% of it). */
export const RELATIVE_TOLERANCE = 0.03;

/** Half the smallest leak, or 3% of the median answer when that is larger. */
export function toleranceFor(medianMs: number): number {
  return Math.max(SMALLEST_LEAK_MS / 2, RELATIVE_TOLERANCE * medianMs);
}

export type ShiftVerdict = "same" | "different" | "undecided";

/**
 * "same" when the 99% interval lies within ±tolerance, "different" when the 99.9% interval
 * lies wholly outside it; "undecided" otherwise (add rounds).
 */
export function judgeShift(shift: ShiftEstimate, tolerance: number): ShiftVerdict {
  if (shift.low > -tolerance && shift.high < tolerance) return "same";
  if (shift.wideLow >= tolerance || shift.wideHigh <= -tolerance) return "different";
  return "undecided";
}

/**
 * At the last round allowed, an undecided comparison fails only if the 99% interval lies
 * wholly outside ±tolerance: the test fails what it is 99% sure exceeds half the smallest leak
 * to catch, and tolerates what may lie within it. (It failed before whenever the 99.9%
 * interval excluded zero, so 600 quiet rounds failed a resend residual of 0.06-0.09 ms,
 * within the tolerance, by its size alone: ADR 25.)
 */
export function finalVerdict(shift: ShiftEstimate, tolerance: number): "same" | "different" {
  const verdict = judgeShift(shift, tolerance);
  if (verdict !== "undecided") return verdict;
  return shift.low >= tolerance || shift.high <= -tolerance ? "different" : "same";
}

/**
 * Issue 23's sign-in bounds, on rounds of one answer per class: each time is taken relative to
 * its round's geometric mean, so what slows a whole round (another process, a benchmark beside
 * the test) cancels out, and a class a constant factor slower than the others stays exactly
 * that factor above them. Returns the spread ((largest - smallest) / smallest) of the classes'
 * medians and of their fastest tenths of those relative times.
 */
export function relativeSpreads(rounds: readonly (readonly number[])[]): {
  medianSpread: number;
  fastestTenthSpread: number;
} {
  const classes = rounds[0]?.length ?? 0;
  if (classes === 0) throw new Error("relativeSpreads: no rounds");
  const relative: number[][] = Array.from({ length: classes }, () => []);
  for (const times of rounds) {
    const centre = Math.exp(times.reduce((sum, ms) => sum + Math.log(ms), 0) / times.length);
    for (const [c, ms] of times.entries()) relative[c]?.push(ms / centre);
  }
  return {
    medianSpread: spreadOf(relative.map((values) => median(values))),
    fastestTenthSpread: spreadOf(relative.map((values) => percentile(values, 10))),
  };
}
