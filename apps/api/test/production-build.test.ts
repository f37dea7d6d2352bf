/** `pnpm build` emits JavaScript that `node` runs alone: no tsx, no second process. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const APP = join(import.meta.dirname, "..");
const BUNDLE = join(APP, "dist", "main.js");

describe("production build", () => {
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "otp-build-"));
  afterAll(() => {
    child?.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("bundles the API, and node serves it on the embedded database", async () => {
    await promisify(execFile)(process.execPath, [join(APP, "build.mjs")], { cwd: APP });
    expect(existsSync(BUNDLE)).toBe(true);
    expect(readFileSync(BUNDLE, "utf8")).not.toMatch(/from "@otp\//); // the workspace is inside
    // Tracing's SDK is a chunk of its own, loaded only when tracing is on.
    expect(readFileSync(BUNDLE, "utf8")).not.toContain("@opentelemetry/sdk-node");

    const started = spawn(process.execPath, [BUNDLE], {
      cwd: dataDir,
      env: { PATH: process.env.PATH ?? "", PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    });
    child = started;
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in 60 s:\n${output}`)), 60_000);
      started.stdout?.on("data", (chunk) => {
        output += chunk;
        const match = /running at (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      started.stderr?.on("data", (chunk) => {
        output += chunk;
      });
      started.on("exit", (code) => reject(new Error(`exited ${code}:\n${output}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const registered = await fetch(`${url}/api/v1/auth/register/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "built@example.com", password: "a long enough password" }),
    });
    expect(registered.status).toBe(201);
    // One process: the data directory's initdb child has exited, and nothing wraps node.
    const children = await promisify(execFile)("ps", ["--ppid", String(started.pid), "-o", "pid="])
      .then(({ stdout }) => stdout.trim())
      .catch(() => "");
    expect(children).toBe("");
  }, 120_000);
});
