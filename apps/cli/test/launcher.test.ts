/**
 * `pnpm otp`'s launcher (scripts/otp.mjs): builds the CLI only when something it
 * is built from is newer than the bundle, and prints nothing but the CLI's output.
 */
import { spawnSync } from "node:child_process";
import { statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const LAUNCHER = join(ROOT, "scripts", "otp.mjs");
const BUNDLE = join(ROOT, "apps", "cli", "dist", "main.js");

function launch() {
  return spawnSync(process.execPath, [LAUNCHER, "--help"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
  });
}

describe("pnpm otp's launcher", () => {
  it("rebuilds a bundle older than its sources, and leaves a current one alone", () => {
    const first = launch();
    expect(first.status).toBe(0);
    // A bundle from before any source: stale.
    const longAgo = new Date("2020-01-01T00:00:00Z");
    utimesSync(BUNDLE, longAgo, longAgo);
    const rebuilt = launch();
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stderr).toBe("");
    expect(rebuilt.stdout.startsWith("usage: pnpm otp")).toBe(true);
    const builtAt = statSync(BUNDLE).mtimeMs;
    expect(builtAt).toBeGreaterThan(longAgo.getTime());

    const again = launch();
    expect(again.status).toBe(0);
    expect(again.stderr).toBe("");
    expect(again.stdout).toBe(rebuilt.stdout);
    expect(statSync(BUNDLE).mtimeMs).toBe(builtAt);
  }, 240_000);

  it("pnpm otp prints the CLI's output and nothing of its own", () => {
    const run = spawnSync("pnpm", ["otp", "--help"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(launch().stdout);
  }, 240_000);
});
