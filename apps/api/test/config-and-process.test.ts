import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, TEST_SECRET } from "@otp/core/testing";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startApp } from "../src/app.js";
import { ConfigError, loadConfig } from "../src/config.js";

const MAIN = join(import.meta.dirname, "..", "src", "main.ts");
const TSX = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** Runs the real entry point; resolves with its exit code and output once it exits. */
function run(env: Record<string, string>): {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string; err: string }>;
} {
  const child = spawn(TSX, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "pipe",
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    err += chunk;
  });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    child.on("exit", (code) => resolve({ code, out, err }));
  });
  return { child, done };
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "otp-config-test-"));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("configuration", () => {
  it("names every bad variable", () => {
    const problems = problemsOf({
      PORT: "eighty",
      OTP_LENGTH: "5",
      DATABASE_URL: "mysql://localhost/db",
      APP_SECRET: "short",
      SMTP_URL: "http://mail",
      RATE_LIMIT_ENABLED: "maybe",
      DATA_DIR: tempDir(),
    });
    const text = problems.join("\n");
    for (const name of [
      "PORT",
      "OTP_LENGTH",
      "DATABASE_URL",
      "APP_SECRET",
      "SMTP_URL",
      "RATE_LIMIT_ENABLED",
    ]) {
      expect(text).toContain(name);
    }
  });

  it("refuses production without APP_SECRET and SMTP_URL", () => {
    const text = problemsOf({ NODE_ENV: "production" }).join("\n");
    expect(text).toContain("APP_SECRET");
    expect(text).toContain("SMTP_URL");
  });

  it("generates a development secret once, keeps it (mode 600) and reuses it", () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secretSource).toBe("generated");
    expect(second.secretSource).toBe("stored");
    expect(second.secret).toBe(first.secret);
    expect(readFileSync(join(dir, "app-secret"), "utf8").trim()).toBe(first.secret);
    expect(statSync(join(dir, "app-secret")).mode & 0o777).toBe(0o600);
  });

  it("the process exits 1 with a message naming the variable", async () => {
    const { done } = run({ PORT: "not-a-port", DATA_DIR: tempDir() });
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.err).toContain("PORT");
    expect(result.err).toContain("must be a number");
  });

  it("the process refuses to start in production without APP_SECRET and SMTP_URL", async () => {
    const { done } = run({ NODE_ENV: "production", DATA_DIR: tempDir() });
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/APP_SECRET[\s\S]*SMTP_URL/);
  });

  it("starts with nothing configured, says where to open it, and stops cleanly on SIGTERM", async () => {
    const dataDir = tempDir();
    const { child, done } = run({ PORT: "0", DATA_DIR: dataDir });
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line: ${output}`)), 45_000);
      child.stdout?.on("data", (chunk) => {
        output += chunk;
        const match = /running at (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    expect(output).toContain("dev mailbox");
    expect(output).toContain("embedded PGlite");
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code).toBe(0);
    expect(statSync(join(dataDir, "pglite")).isDirectory()).toBe(true);
  });
});

describe("production mode", () => {
  it("has no dev mailbox procedure", async () => {
    const database = await createTestDatabase("pglite");
    const config = loadConfig({
      NODE_ENV: "production",
      APP_SECRET: TEST_SECRET,
      APP_URL: "https://otp.example.com",
      SMTP_URL: "smtp://127.0.0.1:1",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: tempDir(),
    });
    const app = await startApp(config, { database, logger: pino({ level: "silent" }) });
    try {
      expect(app.mailbox).toBeUndefined();
      const response = await fetch(`${app.url}/trpc/dev.mailbox`);
      expect(response.status).toBe(404);
      const ok = await fetch(`${app.url}/trpc/auth.rules`);
      expect(ok.status).toBe(200);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
