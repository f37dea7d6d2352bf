import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // PGlite start-up and migrations take seconds on a busy two-core machine.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
