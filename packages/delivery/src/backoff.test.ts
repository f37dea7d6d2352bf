import { describe, expect, it } from "vitest";
import { backoffCeilingMs, DEFAULT_BACKOFF, retryDelayMs } from "./backoff.js";

const ALMOST_ONE = 1 - Number.EPSILON;

describe("retryDelayMs (exponential backoff, full jitter)", () => {
  it("stays in [0, ceiling) for every attempt and random value", () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = backoffCeilingMs(attempt);
      for (const random of [0, 1e-9, 0.25, 0.5, 0.75, ALMOST_ONE]) {
        const delay = retryDelayMs(attempt, random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it("is the random fraction of the ceiling (full jitter)", () => {
    expect(retryDelayMs(1, 0)).toBe(0);
    expect(retryDelayMs(1, 0.5)).toBe(500);
    expect(retryDelayMs(1, ALMOST_ONE)).toBe(999);
    expect(retryDelayMs(3, 0.5)).toBe(2_000);
  });

  it("doubles its ceiling per attempt from a 1 s base", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => backoffCeilingMs(attempt))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000,
    ]);
    for (let attempt = 1; attempt < 9; attempt++) {
      expect(retryDelayMs(attempt + 1, 0.5)).toBe(2 * retryDelayMs(attempt, 0.5));
    }
  });

  it("caps at 5 minutes, even for absurd attempt counts", () => {
    expect(DEFAULT_BACKOFF.capMs).toBe(300_000);
    expect(backoffCeilingMs(10)).toBe(300_000);
    expect(backoffCeilingMs(2_000)).toBe(300_000);
    expect(retryDelayMs(2_000, ALMOST_ONE)).toBe(299_999);
    expect(retryDelayMs(Number.MAX_SAFE_INTEGER, 0.5)).toBe(150_000);
  });

  it("follows a custom policy", () => {
    const policy = { baseMs: 50, factor: 3, capMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffCeilingMs(attempt, policy))).toEqual([
      50, 150, 450, 1_000, 1_000,
    ]);
    expect(retryDelayMs(2, 0.5, policy)).toBe(75);
  });

  it("spreads retries out: draws with Math.random are not all equal", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(8, Math.random())));
    expect(delays.size).toBeGreaterThan(40);
  });

  it("rejects invalid input", () => {
    expect(() => retryDelayMs(0, 0.5)).toThrow(RangeError);
    expect(() => retryDelayMs(1.5, 0.5)).toThrow(RangeError);
    expect(() => retryDelayMs(1, 1)).toThrow(RangeError);
    expect(() => retryDelayMs(1, -0.1)).toThrow(RangeError);
    expect(() => retryDelayMs(1, Number.NaN)).toThrow(RangeError);
    expect(() => retryDelayMs(1, 0.5, { baseMs: 0, factor: 2, capMs: 10 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, 0.5, { baseMs: 10, factor: 0.5, capMs: 10 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, 0.5, { baseMs: 10, factor: 2, capMs: 5 })).toThrow(RangeError);
  });
});
