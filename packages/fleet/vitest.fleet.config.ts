import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const here = fileURLToPath(new URL(".", import.meta.url));
// The reliability harness (API children, fresh databases, figures) keeps this suite's
// files here, not beside the reliability suite's.
process.env.OTP_HARNESS_RESULTS_DIR = join(here, ".test-results");

/**
 * The fleet suite (`pnpm test:fleet`). Files run one after another: each starts a fleet
 * of processes (and the failover file a PostgreSQL formation) on a two-core machine.
 */
export default defineConfig({
  test: {
    ...sharedTestConfig.test,
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    globalSetup: ["../reliability/src/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
