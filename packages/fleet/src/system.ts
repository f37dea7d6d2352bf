/**
 * The server programs the fleet tests start (PgBouncer, pg_auto_failover and its
 * PostgreSQL nodes): on free loopback ports, in temporary directories, and, when the
 * suite runs as root (CI does), as the `postgres` system user, since PostgreSQL and
 * PgBouncer refuse to run as root.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The account the servers run as when the suite is root. */
const SERVER_USER = "postgres";

export const isRoot = (): boolean => process.getuid?.() === 0;

function serverUser(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${SERVER_USER}:`));
  if (line === undefined) throw new Error(`no ${SERVER_USER} user to run the servers as`);
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** A temporary directory the servers may write (owned by `postgres` when running as root). */
export function serverDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `otp-fleet-${label}-`));
  if (isRoot()) {
    const { uid, gid } = serverUser();
    chownSync(dir, uid, gid);
  }
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `command args`, as `postgres` when root (runuser), with `env` added to a minimal environment. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", SERVER_USER, "--", command, ...args]] : [command, args];
}

function serverEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...env };
}

/** Runs a command to completion; rejects with its output when it fails. */
export function runServerCommand(
  command: string,
  args: string[],
  { env = {}, timeoutMs = 60_000 }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  const [file, argv] = asServerUser(command, args);
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      { env: serverEnv(env), timeout: timeoutMs, cwd: tmpdir() },
      (error, stdout, stderr) => {
        if (error === null) resolve(`${stdout}${stderr}`);
        else
          reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stdout}\n${stderr}`));
      },
    );
  });
}

export interface ServerProcess {
  readonly pid: number;
  output(): string;
  readonly exited: Promise<number | null>;
  /** A signal to the whole process group (runuser and what it started). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const started = new Set<ServerProcess>();
process.once("exit", () => {
  for (const server of started) server.signal("SIGKILL");
});

/** Starts a long-running server in a process group of its own. */
export function startServer(
  command: string,
  args: string[],
  {
    env = {},
    asServerUser: asServer = true,
  }: { env?: Record<string, string>; asServerUser?: boolean } = {},
): ServerProcess {
  const [file, argv] = asServer ? asServerUser(command, args) : [command, args];
  const child: ChildProcess = spawn(file, argv, {
    env: serverEnv(env),
    cwd: tmpdir(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  let alive = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      alive = false;
      resolve(code);
    }),
  );
  const server: ServerProcess = {
    pid,
    output: () => out,
    exited,
    signal(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    },
    async stop(graceMs = 10_000) {
      if (alive) {
        server.signal("SIGTERM");
        const timer = setTimeout(() => server.signal("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      server.signal("SIGKILL");
      started.delete(server);
    },
  };
  started.add(server);
  return server;
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether a program the suite starts is installed. Missing, a file skips (and says so);
 * with CI=true that is an error: .ci/run installs them.
 */
export function programAvailable(path: string, what: string): boolean {
  if (existsSync(path)) return true;
  const message = `${what} (${path}) is not installed`;
  if (process.env.CI === "true") throw new Error(`${message}; .ci/run installs it`);
  console.warn(`[fleet] skipped: ${message}`);
  return false;
}
