/**
 * The API as a real child process: `tsx apps/api/src/main.ts` in production
 * mode, listening on a random loopback port. Every child gets its own process
 * group, so a kill reaches tsx and the node process it starts; every pid is
 * also written to a file the global teardown reads, so no child outlives the
 * suite even when a worker dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_SECRETS } from "./environment.js";
import { API_DIR, API_MAIN, CHILD_MARKER_VARIABLE, CHILD_PIDS_FILE, TSX_BIN } from "./paths.js";
import type { LogSource } from "./secrets.js";

export interface ApiProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Everything the process wrote, stdout then stderr, so far. */
  stdout(): string;
  stderr(): string;
  /** Structured log lines (pino JSON) parsed from stdout. */
  logLines(): Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  /** SIGKILL to the whole process group (tsx and the API under it), at once. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ApiProcess>();
const logSources: LogSource[] = [];

/** Every child's output, for the log scan (kept after the child exits). */
export function childLogSources(): LogSource[] {
  return logSources;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

// Last resort if the worker exits, or is told to, without running afterAll.
process.once("exit", () => {
  for (const child of running) killGroup(child.pid, "SIGKILL");
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.once(signal, () => {
    for (const child of running) killGroup(child.pid, "SIGKILL");
    process.exit(128 + (signal === "SIGHUP" ? 1 : signal === "SIGINT" ? 2 : 15));
  });
}

/** The environment every API child gets; scenarios add their own variables on top. */
export function baseApiEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: "0",
    APP_SECRET: RUN_SECRETS.appSecret,
    APP_NAME: "Reliability",
    APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "info",
    // The hourly cleanup deletes used codes; the invariants read them, so it stays off here.
    CLEANUP_INTERVAL_SECONDS: "0",
  };
}

export interface ChildOptions {
  startTimeoutMs?: number;
  /** The entry point run through tsx (default: the API's) and its package directory. */
  entry?: { main: string; dir: string };
  /** The start-up line to wait for; its first group, if any, is the child's URL. */
  ready?: RegExp;
}

export async function startApiProcess(
  name: string,
  env: Record<string, string>,
  {
    startTimeoutMs = 60_000,
    entry = { main: API_MAIN, dir: API_DIR },
    ready = /running at (http:\/\/\S+)/,
  }: ChildOptions = {},
): Promise<ApiProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "otp-reliability-"));
  // A marker only this child carries: the global teardown kills nothing without it (pids get reused).
  const marker = randomBytes(8).toString("hex");
  const child: ChildProcess = spawn(
    TSX_BIN,
    ["--tsconfig", join(entry.dir, "tsconfig.json"), entry.main],
    {
      cwd: entry.dir,
      env: { ...baseApiEnv(), DATA_DIR: dataDir, ...env, [CHILD_MARKER_VARIABLE]: marker },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not spawn the API`);
  appendFileSync(CHILD_PIDS_FILE, `${pid} ${marker}\n`);
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      alive = false;
      resolve(code);
    });
  });
  logSources.push(
    { name: `${name} stdout`, text: () => out },
    { name: `${name} stderr`, text: () => err },
  );

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(pid, "SIGKILL");
      reject(new Error(`${name}: no start-up line after ${startTimeoutMs} ms\n${out}\n${err}`));
    }, startTimeoutMs);
    const onData = () => {
      const match = ready.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(match[1] ?? "");
      }
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before listening\n${out}\n${err}`));
    });
  });

  const handle: ApiProcess = {
    name,
    url,
    pid,
    stdout: () => out,
    stderr: () => err,
    logLines: () =>
      out
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited,
    isRunning: () => alive,
    async kill() {
      killGroup(pid, "SIGKILL");
      await exited;
      running.delete(handle);
      rmSync(dataDir, { recursive: true, force: true });
    },
    async stop(graceMs = 10_000) {
      if (alive) {
        killGroup(pid, "SIGTERM");
        const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
        // tsx's own child may linger a moment after tsx exits.
        killGroup(pid, "SIGKILL");
      }
      running.delete(handle);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  running.add(handle);
  return handle;
}

/** Kills every API child still running (afterAll, whatever happened). */
export async function killAllApiProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}
