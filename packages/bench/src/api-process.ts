/** The API under test as a child process (src/server.ts), and its IPC requests. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export interface ServerSample {
  atMs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  mailsSent: number;
  mainThread: { onCpuNs: number; waitingNs: number; preempted: number };
  eventLoopDelay: { p50: number; p99: number; max: number };
}

export interface StatementCounts {
  statements: number;
  byKind: Record<string, number>;
}

const SERVER_ENTRY = fileURLToPath(new URL("./server.ts", import.meta.url));
const SERVER_BUNDLE = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL("../build.mjs", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const BASE_TSCONFIG = fileURLToPath(new URL("../../../tsconfig.base.json", import.meta.url));

/** The server's build, made once per driver process. */
let built: Promise<void> | undefined;

export class ApiProcess {
  private pending = new Map<string, ((message: never) => void)[]>();
  private exited: Promise<number | null>;
  url = "";
  pid = 0;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.on("message", (message: { type: string }) => {
      const waiting = this.pending.get(message.type);
      const resolve = waiting?.shift();
      resolve?.(message as never);
    });
  }

  /**
   * Starts the production API on an ephemeral loopback port, compiled as production runs it
   * (build.mjs, once per driver process), or from its TypeScript sources through tsx with
   * `source` (a --cpu-prof profile then names each package's files). `nodeFlags` go on the
   * child's command line (Node 20 refuses --cpu-prof in NODE_OPTIONS).
   */
  static async start(
    env: Record<string, string>,
    nodeFlags: string[] = [],
    { source = false }: { source?: boolean } = {},
  ): Promise<ApiProcess> {
    if (!source) {
      built ??= promisify(execFile)(process.execPath, [BUILD_SCRIPT]).then(() => undefined);
      await built;
    }
    const entry = source ? ["--import", "tsx", SERVER_ENTRY] : [SERVER_BUNDLE];
    const child = spawn(process.execPath, [...nodeFlags, ...entry], {
      cwd: PACKAGE_DIR,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        TSX_TSCONFIG_PATH: BASE_TSCONFIG,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const api = new ApiProcess(child);
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (!text.startsWith('{"ready":true')) process.stderr.write(`[api] ${text}`);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(`[api] ${chunk}`);
    });
    const ready = api.request<{ url: string; pid: number }>("ready");
    const failed = api.exited.then((code) => {
      throw new Error(`the API exited during start (code ${code}): ${stderr.trim()}`);
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("the API did not start within 60 s")), 60_000).unref(),
    );
    const { url, pid } = await Promise.race([ready, failed, timeout]);
    api.url = url;
    api.pid = pid;
    return api;
  }

  private request<T>(type: string, message?: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const list = this.pending.get(type) ?? [];
      list.push(resolve as (message: never) => void);
      this.pending.set(type, list);
      if (message !== undefined) {
        try {
          this.child.send(message);
        } catch (error) {
          reject(error);
        }
      }
    });
  }

  sample(): Promise<ServerSample> {
    return this.request<ServerSample>("sample", { type: "sample" });
  }

  /** Returns the counts since the last call and switches counting on or off. */
  count(on: boolean): Promise<StatementCounts> {
    return this.request<StatementCounts>("count", { type: "count", on });
  }

  /** Graceful stop (lets --cpu-prof write its profile); SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.child.send({ type: "stop" });
    } catch {
      this.child.kill("SIGTERM");
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last resort, synchronous: for exit handlers. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

const PRODUCTION_ENTRY = fileURLToPath(new URL("../../../apps/api/dist/main.js", import.meta.url));

/** Resident memory of a process as the kernel reports it (/proc/<pid>/status), MiB. */
export function residentMemory(pid: number): { rssMb: number; anonMb: number; fileMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]);
  return { rssMb: kb("VmRSS") / 1024, anonMb: kb("RssAnon") / 1024, fileMb: kb("RssFile") / 1024 };
}

/**
 * The production build (`pnpm build`, then `node apps/api/dist/main.js`, as users run it) on
 * an ephemeral loopback port, for measuring it from outside (no IPC, no injected transport:
 * the emails go to SMTP_URL). Resolves once it prints the URL it listens on.
 */
export async function startProductionApi(
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeFlags, PRODUCTION_ENTRY], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[api] ${chunk}`));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = /OTP is running at (\S+)/.exec(out);
      if (found?.[1] !== undefined) resolve(found[1]);
    });
    void exited.then((code) => reject(new Error(`the API exited during start (code ${code})`)));
    setTimeout(() => reject(new Error("the API did not start within 60 s")), 60_000).unref();
  });
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
