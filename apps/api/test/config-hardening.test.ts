/**
 * Start-up refusals and defaults from the red-team review (issue 23): each
 * names its variable and says what to set instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "otp-config-hardening-"));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("TRUST_PROXY (finding 4)", () => {
  it("true is refused at start, with what to set instead", () => {
    const text = problemsOf({ TRUST_PROXY: "true" }).join("\n");
    expect(text).toMatch(/^TRUST_PROXY: true would trust the client-written leftmost/);
    expect(text).toContain("TRUST_PROXY=1");
  });

  it("a hop count, an address list and false are accepted", () => {
    for (const value of ["1", "10.0.0.0/8, 192.0.2.7", "false"]) {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([]);
    }
  });
});
