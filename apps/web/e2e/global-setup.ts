import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "vite";
import type { TestProject } from "vitest/node";

/**
 * Once per test run: find Chromium and build the app into a fresh directory
 * (not dist/, so a `build` running beside the tests is never disturbed).
 * Without Chromium the browser suite skips with a notice, except under CI=true,
 * where it fails: CI must run it.
 */
export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export interface BrowserSuiteSetup {
  /** The Chromium executable, or null when the suite must skip. */
  chromium: string | null;
  /** Why the suite skips, when it does. */
  skipReason: string | null;
  /** The freshly built app, served by the API under test. */
  webDist: string | null;
}

declare module "vitest" {
  export interface ProvidedContext {
    browserSuite: BrowserSuiteSetup;
  }
}

function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== "") return existsSync(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

export default async function setup(project: TestProject) {
  const chromium = findChromium();
  if (chromium === null) {
    const reason =
      "Chromium not found (looked for CHROMIUM_PATH, " +
      `${CHROMIUM_CANDIDATES.join(", ")}); install it with \`apt-get install -y chromium\``;
    if (process.env.CI === "true") {
      throw new Error(`${reason}. CI=true requires the browser tests to run.`);
    }
    console.warn(`\n[web] browser tests SKIPPED: ${reason}\n`);
    project.provide("browserSuite", { chromium: null, skipReason: reason, webDist: null });
    return;
  }

  const webRoot = resolve(import.meta.dirname, "..");
  const outDir = mkdtempSync(join(tmpdir(), "otp-web-e2e-dist-"));
  // Vitest sets NODE_ENV=test, which would give a development build of React:
  // test the production build the API serves.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: webRoot,
      configFile: join(webRoot, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  project.provide("browserSuite", { chromium, skipReason: null, webDist: outDir });
  return () => rmSync(outDir, { recursive: true, force: true });
}
