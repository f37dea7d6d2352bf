import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

/**
 * The shared settings, plus the browser suite in e2e/: its global setup builds
 * the app once and finds Chromium (skipping with a notice when it is missing,
 * failing when CI=true).
 */
export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    include: ["src/**/*.test.{ts,tsx}", "e2e/**/*.test.ts"],
    globalSetup: ["./e2e/global-setup.ts"],
  },
});
