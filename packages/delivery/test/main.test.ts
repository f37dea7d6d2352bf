/**
 * The dispatcher as its own process (src/main.ts): configuration errors,
 * the PGlite refusal, and a real run against PostgreSQL and SMTP ending with
 * a graceful SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createTestDatabase,
  createTestService,
  readOutbox,
  resolveTestPostgres,
  TEST_SECRET,
  type TestDatabase,
} from "@otp/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createSmtpServer, type TestSmtpServer, waitFor } from "./support.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const server = await resolveTestPostgres();
if (!server.available) console.warn(`[delivery] PostgreSQL tests skipped: ${server.reason}`);

const VARIABLES = ["DATABASE_URL", "APP_SECRET", "SMTP_URL", "SMTP_FROM", "APP_URL", "APP_NAME"];

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // tsx runs main.ts in a child process: kill the whole group, never leave it behind.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The package's `start` script ("tsx ... src/main.ts"), run as the deployment would run it. */
const startScript = (
  JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    scripts: { start: string };
  }
).scripts.start.split(" ");

/** Runs the start script with exactly these delivery variables set. */
function runMain(variables: Record<string, string>): Running {
  const env = { ...process.env };
  for (const name of VARIABLES) delete env[name];
  const [bin = "tsx", ...args] = startScript;
  const child = spawn(join(packageDir, "node_modules", ".bin", bin), args, {
    cwd: packageDir,
    env: { ...env, ...variables },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so cleanup can kill tsx and its child together
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe("src/main.ts", () => {
  it("refuses to start on a bad environment, naming each bad variable", async () => {
    const run = runMain({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
      APP_SECRET: "short",
      SMTP_URL: "http://mailer:smtp-password@smtp.internal",
      APP_URL: "https://acme.example",
    });
    expect(await run.exited).toBe(1);
    const stderr = run.stderr();
    expect(stderr).toMatch(/invalid environment/);
    expect(stderr).toMatch(/APP_SECRET: must be at least 32 characters/);
    expect(stderr).toMatch(/SMTP_URL: must start with smtp:\/\//);
    expect(stderr).toMatch(/SMTP_FROM: is not set/);
    expect(stderr).toMatch(/APP_NAME: is not set/);
    expect(stderr).not.toMatch(/DATABASE_URL|APP_URL/);
    expect(stderr).not.toContain("smtp-password");
  });

  it("refuses to run on PGlite and says why", async () => {
    const run = runMain({
      APP_SECRET: TEST_SECRET,
      SMTP_URL: "smtp://127.0.0.1:2525",
      SMTP_FROM: "Acme <no-reply@acme.example>",
      APP_URL: "https://acme.example",
      APP_NAME: "Acme",
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/DATABASE_URL: is not set/);
    expect(run.stderr()).toMatch(/PGlite.*cannot be shared/s);
  });

  describe.skipIf(!server.available)("against PostgreSQL and a real SMTP server", () => {
    let database: TestDatabase;
    let smtp: TestSmtpServer;

    it("delivers what the service queues and stops gracefully on SIGTERM", async () => {
      database = await createTestDatabase("postgres", server.available ? server.url : undefined);
      cleanups.push(() => database.close());
      smtp = await createSmtpServer();
      cleanups.push(() => smtp.stop());

      const run = runMain({
        DATABASE_URL: database.url ?? "",
        APP_SECRET: TEST_SECRET,
        SMTP_URL: smtp.url,
        SMTP_FROM: "Acme <no-reply@acme.example>",
        APP_URL: "https://acme.example",
        APP_NAME: "Acme",
      });
      await waitFor("the dispatcher to start", () => run.stdout().includes("dispatcher started"), {
        timeoutMs: 30_000,
      });

      await createTestService(database).register({
        email: "process@example.com",
        password: "a long enough password",
      });
      await waitFor("the email", () => smtp.countFor("process@example.com") === 1, {
        timeoutMs: 10_000,
      });
      const [row] = await waitFor("the row to settle", async () => {
        const rows = await readOutbox(database, TEST_SECRET);
        return rows[0]?.status === "SENT" && rows;
      });
      expect(row?.payload).toBeNull();
      expect(smtp.received[0]?.subject).toBe("Verify your email for Acme");

      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(run.stdout()).toMatch(/stopping/);
      expect(run.stdout()).toMatch(/dispatcher stopped/);
    });
  });
});
