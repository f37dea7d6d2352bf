/**
 * One owner per embedded data directory, with real processes: the API server on
 * a temporary PGlite directory, `otp` run beside it (its commands go through
 * the server's admin socket), a second server refused, a stale lock taken over,
 * and the admin socket's own checks.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const CLI_MAIN = join(import.meta.dirname, "..", "src", "main.ts");
const API_DIR = join(import.meta.dirname, "..", "..", "api");
const TSX = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");
/** Processes start slowly on a busy machine: each step gets this long. */
const STEP_MS = 240_000;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(command: string, args: string[], env: Record<string, string>, cwd?: string) {
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  const done = new Promise<Run>((resolve) =>
    child.on("exit", (code) => resolve({ code, out, err })),
  );
  return { child, done, out: () => out };
}

const otp = (args: string[], dataDir: string) =>
  run(TSX, [CLI_MAIN, ...args], { DATA_DIR: dataDir }).done;

interface Server {
  child: ChildProcess;
  url: string;
  out: () => string;
  done: Promise<Run>;
}

const servers: Server[] = [];
const tempDirs: string[] = [];
afterAll(async () => {
  // SIGTERM, not SIGKILL: the server runs under tsx, which passes SIGTERM on to the node
  // process it started; a SIGKILL would end tsx alone and leave that process running.
  await Promise.all(
    servers.map(async (server) => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      server.child.kill("SIGTERM");
      const tooLong = setTimeout(() => server.child.kill("SIGKILL"), 30_000);
      await server.done;
      clearTimeout(tooLong);
    }),
  );
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function serverEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    CLEANUP_INTERVAL_SECONDS: "0",
  };
}

async function startServer(dataDir: string): Promise<Server> {
  const started = run(TSX, ["src/main.ts"], serverEnv(dataDir), API_DIR);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /running at (http:\/\/\S+)/.exec(started.out());
      if (match?.[1] !== undefined) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 100);
    void started.done.then((result) => {
      clearInterval(timer);
      reject(new Error(`the server exited (${result.code}):\n${result.out}\n${result.err}`));
    });
  });
  const server = { child: started.child, url, out: started.out, done: started.done };
  servers.push(server);
  return server;
}

/** The lock file as the owner wrote it. */
function lockOf(dataDir: string): { pid: number; adminSocket: string | null } {
  return JSON.parse(readFileSync(join(dataDir, "pglite", "otp-owner.lock"), "utf8"));
}

/** One raw line to the admin socket, its answer parsed. */
function ask(path: string, line: string): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(line));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => resolve(JSON.parse(received)));
  });
}

/**
 * POSTs `body`, again while the answer is 503 (on a busy machine a cold server can miss its
 * 1.5 s deadline; the answer says to retry). The statuses, in order.
 */
async function post(url: string, body: unknown): Promise<number[]> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    statuses.push(response.status);
    if (response.status !== 503) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return statuses;
}

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "otp-owner-"));
  tempDirs.push(dir);
  return dir;
}

describe("one owner per PGlite directory", () => {
  it(
    "while the server runs, otp works through it: live numbers, lasting deletions; a second server is refused",
    async () => {
      const dataDir = tempDataDir();
      const server = await startServer(dataDir);
      const lock = lockOf(dataDir);
      expect(lock.adminSocket).toBe(join(dataDir, "pglite", "otp-admin.sock"));
      // The socket and the lock file: the owner's user only.
      expect(statSync(lock.adminSocket ?? "").mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, "pglite", "otp-owner.lock")).mode & 0o777).toBe(0o600);

      const password = "a long enough password";
      // A first registration warms the server (argon2, the code paths); then three more.
      const register = `${server.url}/api/v1/auth/register/`;
      for (const email of ["warm@example.com", "used@example.com", "live@example.com"]) {
        expect((await post(register, { email, password })).at(-1)).toBe(201);
      }
      // The dev mailbox prints each email with its code once delivery has sent it.
      let code: string | undefined;
      for (let i = 0; i < 600 && code === undefined; i += 1) {
        // The last one: a registration retried after a 503 may have sent a second.
        code = [...server.out().matchAll(/to used@example\.com: .*?(\d{8})/g)].at(-1)?.[1];
        if (code === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(code).toBeDefined();
      const verified = await post(`${server.url}/api/v1/auth/verify-email/`, {
        email: "used@example.com",
        otp: code,
      });
      // 200, or the answer to a retry after a 503 whose verification had gone through.
      expect(verified.at(-1) === 200 || verified.includes(503)).toBe(true);

      const stats = await otp(["stats", "--json"], dataDir);
      expect(stats).toMatchObject({ code: 0, err: "" });
      const live = JSON.parse(stats.out) as {
        codes: { VERIFICATION: { live: number; used: number } };
        outbox: { SENT: number; PENDING: number; SUPERSEDED: number };
      };
      // The server's live numbers: two accounts waiting, one verified.
      expect(live.codes.VERIFICATION).toMatchObject({ live: 2, used: 1 });
      // Every email it queued (a registration retried after a 503 may have queued two).
      expect(
        live.outbox.SENT + live.outbox.PENDING + live.outbox.SUPERSEDED,
      ).toBeGreaterThanOrEqual(3);
      expect(live.outbox.SENT).toBeGreaterThanOrEqual(1);

      // The same text as alone.
      const text = await otp(["stats"], dataDir);
      expect(text.out).toMatch(/VERIFICATION\s+2\s+1\s+0/);

      const cleaned = await otp(["cleanup", "--used"], dataDir);
      expect(cleaned).toMatchObject({ code: 0, err: "" });
      expect(cleaned.out).toContain("deleted 1 used code and 0 expired codes (not asked)");
      expect((await otp(["migrate"], dataDir)).out).toContain(
        `migrations applied to ${join(dataDir, "pglite")}`,
      );
      // Still the server's lock: the CLI never opened the directory.
      expect(lockOf(dataDir).pid).toBe(lock.pid);

      const second = await run(TSX, ["src/main.ts"], serverEnv(dataDir), API_DIR).done;
      expect(second.code).toBe(1);
      expect(second.err).toContain(`in use by process ${lock.pid}`);
      expect(second.err).toContain(`kill ${lock.pid}`);

      server.child.kill("SIGTERM");
      expect((await server.done).code).toBe(0);
      // Stopped: the lock and the socket are gone, and the deletion stayed.
      expect(() => statSync(join(dataDir, "pglite", "otp-owner.lock"))).toThrow();
      expect(() => statSync(lock.adminSocket ?? "")).toThrow();
      const after = await otp(["stats"], dataDir);
      expect(after.code).toBe(0);
      expect(after.out).toMatch(/VERIFICATION\s+2\s+0\s+0/);
    },
    STEP_MS * 2,
  );

  it(
    "the admin socket answers only valid requests, and the server keeps serving",
    async () => {
      const dataDir = tempDataDir();
      await startServer(dataDir);
      const socket = lockOf(dataDir).adminSocket ?? "";
      expect(await ask(socket, "not json\n")).toEqual({
        ok: false,
        error: "invalid request: not JSON",
      });
      const unknown = await ask(socket, `${JSON.stringify({ command: "drop" })}\n`);
      expect(unknown.ok).toBe(false);
      expect(unknown.error).toContain("invalid request: command");
      const badCleanup = await ask(
        socket,
        `${JSON.stringify({
          command: "cleanup",
          used: true,
          expired: true,
          olderThan: "yesterday",
          outboxRetentionDays: 0,
          securityEventRetentionDays: 90,
        })}\n`,
      );
      expect(badCleanup.ok).toBe(false);
      expect(badCleanup.error).toContain("olderThan");
      expect(badCleanup.error).toContain("outboxRetentionDays");
      const extra = await ask(socket, `${JSON.stringify({ command: "stats", sql: "drop" })}\n`);
      expect(extra.ok).toBe(false);
      const tooLong = await ask(socket, "x".repeat(10_000));
      expect(tooLong).toEqual({ ok: false, error: "invalid request: longer than 4096 bytes" });
      expect(await ask(socket, `${JSON.stringify({ command: "stats" })}\n`)).toMatchObject({
        ok: true,
      });
    },
    STEP_MS,
  );

  it(
    "a lock left by a dead process is taken over; a live owner without a socket is named",
    async () => {
      const dataDir = tempDataDir();
      const pglite = join(dataDir, "pglite");
      mkdirSync(pglite, { recursive: true });
      const exited = run(process.execPath, ["-e", ""], {});
      const deadPid = exited.child.pid ?? 0;
      await exited.done;
      const lockFile = join(pglite, "otp-owner.lock");
      const owner = (pid: number) =>
        JSON.stringify({
          pid,
          host: hostname(),
          startedAt: new Date().toISOString(),
          command: "node gone.js",
          adminSocket: null,
        });
      writeFileSync(lockFile, owner(deadPid));
      const migrated = await otp(["migrate"], dataDir);
      expect(migrated).toMatchObject({ code: 0, err: "" });
      expect(() => statSync(lockFile)).toThrow();

      // This test's own process: alive, and takes no commands.
      writeFileSync(lockFile, owner(process.pid));
      const refused = await otp(["stats"], dataDir);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(`in use by process ${process.pid}`);
      expect(refused.err).toContain(`kill ${process.pid}`);
      expect(refused.out).toBe("");
      rmSync(lockFile);
    },
    STEP_MS,
  );
});
