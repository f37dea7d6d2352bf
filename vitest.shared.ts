import { defineConfig } from "vitest/config";

/**
 * Settings every package's tests share. Each run also writes a JSON report to
 * .test-results/vitest.json, which CI sums into one "N passed, N failed" line.
 */
export const sharedTestConfig = defineConfig({
  test: {
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    // PGlite start-up and migrations take seconds on a busy two-core machine.
    hookTimeout: 60_000,
    testTimeout: 30_000,
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});
