import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

/**
 * The reliability suite (`pnpm --filter @otp/reliability test:reliability`).
 * Files run one after another: they start API processes and measure timings,
 * and two at once on two cores would disturb each other's figures.
 */
export default defineConfig({
  test: {
    ...sharedTestConfig.test,
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    globalSetup: ["./src/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
  },
});
