/**
 * The timing statistic of the enumeration suite (src/timing.ts) on synthetic
 * noise shaped like a shared 2-core machine's: most answers near the median,
 * some several times longer (waited for a core). A 0.2 ms shift must be found
 * and no shift must pass, in every one of many simulated runs.
 */
import { describe, expect, it } from "vitest";
import {
  finalVerdict,
  judgeShift,
  pairedShift,
  relativeSpreads,
  SMALLEST_LEAK_MS,
  seededRandom,
  toleranceFor,
} from "../src/timing.js";

/**
 * One answer's time: 2.3 ms, jitter, and one in ten waits for a core (up to 10 ms more); on
 * a machine a benchmark shares (`load` 10), ten times all of it.
 */
function answerMs(random: () => number, shiftMs: number, load = 1): number {
  const jitter = -Math.log(1 - random()) * 0.25;
  const waited = random() < 0.1 ? random() * 10 : 0;
  return (2.3 + jitter + waited) * load + shiftMs;
}

/** The enumeration suite's loop: 200 rounds, then 100 more while undecided, up to 600. */
function simulatedRun(seed: number, shiftMs: number, load = 1): "same" | "different" {
  const random = seededRandom(seed);
  const differences: number[] = [];
  const all: number[] = [];
  for (;;) {
    for (let i = 0; i < (differences.length === 0 ? 200 : 100); i++) {
      const probed = answerMs(random, shiftMs, load);
      const unknown = answerMs(random, 0, load);
      differences.push(probed - unknown);
      all.push(probed, unknown);
    }
    const sorted = [...all].sort((a, b) => a - b);
    const tolerance = toleranceFor(sorted[Math.floor(sorted.length / 2)] as number);
    const shift = pairedShift(differences, { resamples: 2000, seed });
    if (differences.length >= 600) return finalVerdict(shift, tolerance);
    const verdict = judgeShift(shift, tolerance);
    if (verdict !== "undecided") return verdict;
  }
}

describe("paired-rounds timing statistic", () => {
  it("no shift: 'same' in 40 of 40 simulated runs", () => {
    const verdicts = Array.from({ length: 40 }, (_, seed) => simulatedRun(seed + 1, 0));
    expect(verdicts.filter((v) => v === "different")).toEqual([]);
  });

  it("no shift on a machine ten times slower and noisier: 'same' in 40 of 40 simulated runs", () => {
    const verdicts = Array.from({ length: 40 }, (_, seed) => simulatedRun(seed + 201, 0, 10));
    expect(verdicts.filter((v) => v === "different")).toEqual([]);
  });

  it(`a ${SMALLEST_LEAK_MS} ms shift, either way: 'different' in 40 of 40 simulated runs`, () => {
    const verdicts = Array.from({ length: 40 }, (_, seed) =>
      simulatedRun(seed + 101, seed % 2 === 0 ? SMALLEST_LEAK_MS : -SMALLEST_LEAK_MS),
    );
    expect(verdicts.filter((v) => v === "same")).toEqual([]);
  });

  it("the interval brackets the estimate and narrows with more pairs", () => {
    const random = seededRandom(7);
    const few = Array.from({ length: 100 }, () => answerMs(random, 0) - answerMs(random, 0));
    const many = Array.from({ length: 1000 }, () => answerMs(random, 0) - answerMs(random, 0));
    const a = pairedShift(few);
    const b = pairedShift(many);
    expect(a.low).toBeLessThanOrEqual(a.estimate);
    expect(a.high).toBeGreaterThanOrEqual(a.estimate);
    expect(b.high - b.low).toBeLessThan(a.high - a.low);
  });
});

/**
 * A round of three argon2id-length answers (about 20 ms) on a machine a benchmark shares: the
 * whole round slowed by a common factor (up to 3x, what another process does to all three), each
 * answer its own jitter and, one in ten, a wait for a core; `slower` multiplies one class's time.
 */
function signInRound(random: () => number, slower: number): number[] {
  const load = 1 + random() * 2;
  return [slower, 1, 1].map((factor) => {
    const jitter = -Math.log(1 - random()) * 2;
    const waited = random() < 0.1 ? random() * 20 : 0;
    return (20 + jitter + waited) * load * factor;
  });
}

function signInBounds(seed: number, slower: number, rounds = 600) {
  const random = seededRandom(seed);
  return relativeSpreads(Array.from({ length: rounds }, () => signInRound(random, slower)));
}

describe("the sign-in bounds on times relative to their round", () => {
  it("no difference, a loaded machine: medians within 7% and fastest tenths within 10% in 40 of 40 runs", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { medianSpread, fastestTenthSpread } = signInBounds(seed, 1);
      expect(medianSpread, `seed ${seed}`).toBeLessThan(0.07);
      expect(fastestTenthSpread, `seed ${seed}`).toBeLessThan(0.1);
    }
  });

  it("one class 10% slower: its median spread past 7% in 40 of 40 runs", () => {
    for (let seed = 1; seed <= 40; seed++) {
      expect(signInBounds(seed, 1.1).medianSpread, `seed ${seed}`).toBeGreaterThan(0.07);
    }
  });

  it("a constant factor comes out as that factor, whatever the load", () => {
    const rounds = [
      [10.7, 10, 10],
      [32.1, 30, 30],
      [21.4, 20, 20],
    ];
    expect(relativeSpreads(rounds).medianSpread).toBeCloseTo(0.07, 10);
  });
});
