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

describe("APP_URL in production (finding 9)", () => {
  const production = {
    NODE_ENV: "production",
    APP_SECRET: "x".repeat(48),
    SMTP_URL: "smtp://127.0.0.1:1",
  };

  it("is required: the start is refused without it, with a clear message", () => {
    const text = problemsOf(production).join("\n");
    expect(text).toMatch(/^APP_URL: required when NODE_ENV=production/m);
  });

  it("with it, production starts", () => {
    expect(problemsOf({ ...production, APP_URL: "https://otp.example.com" })).toEqual([]);
  });
});

describe("the dev mailbox on loopback only (finding 10)", () => {
  it("no SMTP_URL and a non-loopback HOST: the start is refused, saying what to set", () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10"]) {
      const text = problemsOf({ HOST: host }).join("\n");
      expect(text).toMatch(/^HOST: the dev mailbox \(no SMTP_URL\)/m);
      expect(text).toContain("HOST=127.0.0.1");
    }
  });

  it("a loopback HOST, or any HOST with SMTP_URL, is accepted", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"]) {
      expect(problemsOf({ HOST: host })).toEqual([]);
    }
    expect(problemsOf({ HOST: "0.0.0.0", SMTP_URL: "smtp://mail.example.com:587" })).toEqual([]);
  });
});

describe("METRICS_HOST (finding 10)", () => {
  it("defaults to 127.0.0.1 whatever HOST is", () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      HOST: "0.0.0.0",
      SMTP_URL: "smtp://mail.example.com:587",
      METRICS_PORT: "9464",
    });
    expect(config.host).toBe("0.0.0.0");
    expect(config.metricsHost).toBe("127.0.0.1");
    expect(loadConfig({ DATA_DIR: tempDir(), METRICS_HOST: "0.0.0.0" }).metricsHost).toBe(
      "0.0.0.0",
    );
  });
});
