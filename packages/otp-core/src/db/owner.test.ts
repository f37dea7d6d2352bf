/**
 * The data directory's lock (owner.ts): one holder, a dead holder's lock taken
 * over by exactly one of the processes racing for it, and clear refusals.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirInUseError, lockFileOf } from "./owner.js";

const TSX = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "tsx");
const OWNER_MODULE = join(import.meta.dirname, "owner.ts");

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "otp-lock-"));
  dirs.push(dir);
  return dir;
}

function ownerJson(pid: number, host = hostname()): string {
  return JSON.stringify({
    pid,
    host,
    startedAt: new Date().toISOString(),
    command: "node gone.js",
    adminSocket: null,
  });
}

/** A pid that was running a moment ago and is not now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid ?? 0;
}

describe("the data directory's lock", () => {
  it("is held once: a second open in this process is refused, and release frees it", () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lockFileOf(dir), "utf8"))).toMatchObject({
      pid: process.pid,
      host: hostname(),
      adminSocket: null,
    });
    expect(statSync(lockFileOf(dir)).mode & 0o777).toBe(0o600);
    expect(() => acquireDataDirLock(dir)).toThrow("already open in this process");
    lock.setAdminSocket("/tmp/x.sock");
    expect(JSON.parse(readFileSync(lockFileOf(dir), "utf8")).adminSocket).toBe("/tmp/x.sock");
    lock.release();
    expect(() => statSync(lockFileOf(dir))).toThrow();
    acquireDataDirLock(dir).release();
  });

  it("names a live owner, and never takes over one on another host", async () => {
    const dir = tempDir();
    // The parent of this process: alive, and not this process.
    writeFileSync(lockFileOf(dir), ownerJson(process.ppid));
    const refused = (() => {
      try {
        acquireDataDirLock(dir);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toContain(`in use by process ${process.ppid}`);
    expect((refused as Error).message).toContain(`kill ${process.ppid}`);

    writeFileSync(lockFileOf(dir), ownerJson(await deadPid(), "another-host"));
    expect(() => acquireDataDirLock(dir)).toThrow("on host another-host");

    writeFileSync(lockFileOf(dir), "not a lock");
    expect(() => acquireDataDirLock(dir)).toThrow("is not an OTP lock file");
  });

  it("a dead owner's lock goes to exactly one of several processes taking it at once", async () => {
    const dir = tempDir();
    writeFileSync(lockFileOf(dir), ownerJson(await deadPid()));
    // Each contender waits for the same instant, tries, and holds what it got for a while.
    const startAt = Date.now() + 20_000;
    const script = `
        const { acquireDataDirLock } = await import(${JSON.stringify(OWNER_MODULE)});
        while (Date.now() < ${startAt}) {}
        try {
          const lock = acquireDataDirLock(${JSON.stringify(dir)});
          console.log("won");
          setTimeout(() => lock.release(), 10_000);
        } catch (error) {
          console.log(error.code === "DATA_DIR_IN_USE" ? "refused" : String(error));
        }`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => {
        const child = spawn(TSX, ["--input-type=module", "-e", script]);
        let out = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
        });
        child.stderr.on("data", (chunk) => {
          out += chunk;
        });
        return new Promise<string>((resolve) => child.on("exit", () => resolve(out.trim())));
      }),
    );
    expect(results.filter((result) => result === "won")).toHaveLength(1);
    expect(results.filter((result) => result === "refused")).toHaveLength(3);
    // The winner released it on its way out.
    expect(() => statSync(lockFileOf(dir))).toThrow();
  }, 180_000);
});
