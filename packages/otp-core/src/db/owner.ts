/**
 * One owner per embedded (PGlite) data directory. PGlite is a whole PostgreSQL
 * in one process, with no shared memory or locking between processes: two
 * processes opening the same directory each see their own copy of the pages
 * and overwrite each other's writes. The process that opens the directory
 * therefore takes this lock first, and holds it until it closes the database.
 *
 * The lock is a file in the directory, OWNER_FILE, naming the owner (pid, host,
 * start time, command) and, once it serves one, its local admin socket, through
 * which `pnpm otp` does its work while the owner runs (ADR 0019). It is created
 * atomically (a complete file hard-linked into place, so nobody ever reads half
 * of one); a lock whose process is gone (same host, pid not running) is taken
 * over under a second, short-lived takeover lock, so two processes finding the
 * same stale lock cannot both take it.
 *
 * Loaded on its own by the CLI (`@otp/core/db/owner`): only Node built-ins and zod.
 */
import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { z } from "zod";

/** The lock file, inside the PGlite data directory. */
export const OWNER_FILE = "otp-owner.lock";
/** The owner's admin socket, inside the data directory when the path fits (see adminSocketPath). */
export const ADMIN_SOCKET_FILE = "otp-admin.sock";
/** Linux's sun_path holds 108 bytes with its NUL; macOS's 104. Longer paths go to the temp dir. */
const MAX_SOCKET_PATH_BYTES = 100;

const ownerSchema = z.strictObject({
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.iso.datetime(),
  command: z.string(),
  /** Where the owner answers `pnpm otp` (a Unix socket, mode 0600); null until it listens. */
  adminSocket: z.string().nullable(),
});

export type DataDirOwner = z.infer<typeof ownerSchema>;

/** Thrown when another live process (or this one) already has the directory open. */
export class DataDirInUseError extends Error {
  readonly code = "DATA_DIR_IN_USE";
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly owner: DataDirOwner,
  ) {
    super(
      owner.pid === process.pid && owner.host === hostname()
        ? `the embedded database in ${dataDir} is already open in this process`
        : `the embedded database in ${dataDir} is in use by ${describeOwner(owner)}; ` +
            "one process at a time may open it. Stop that process first " +
            `(Ctrl-C in its terminal, or kill ${owner.pid}), run this one with another DATA_DIR, ` +
            `or use PostgreSQL (DATABASE_URL). If process ${owner.pid} is not an OTP process, ` +
            `delete ${lockFile}`,
    );
    this.name = "DataDirInUseError";
  }
}

/** "process 123 (node apps/api/dist/main.js, started 2026-...Z)", with the host when not this one. */
export function describeOwner(owner: DataDirOwner): string {
  const where = owner.host === hostname() ? "" : ` on host ${owner.host}`;
  return `process ${owner.pid}${where} (${owner.command}, started ${owner.startedAt})`;
}

export interface DataDirLock {
  readonly dataDir: string;
  readonly lockFile: string;
  readonly owner: DataDirOwner;
  /** Names (or, with null, stops naming) the admin socket in the lock file. */
  setAdminSocket(path: string | null): void;
  /** Deletes the lock file if it is still this lock's. Idempotent. */
  release(): void;
}

/** Lock files this process holds: opening one of their directories again is refused too. */
const held = new Set<string>();

export function lockFileOf(dataDir: string): string {
  return join(dataDir, OWNER_FILE);
}

/**
 * Where an owner of `dataDir` listens: in the directory, or, when that path is
 * too long for a Unix socket, a fresh name in the temp directory (the lock file
 * says which).
 */
export function adminSocketPath(dataDir: string): string {
  const inside = join(dataDir, ADMIN_SOCKET_FILE);
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH_BYTES) return inside;
  return join(tmpdir(), `otp-admin-${process.pid}-${randomBytes(6).toString("hex")}.sock`);
}

/**
 * The lock file's owner when that process still runs (or runs on another host,
 * where it cannot be checked); undefined when there is no lock or its process
 * is gone. Throws on a lock file that is not one of ours.
 */
export function liveOwnerOf(dataDir: string): DataDirOwner | undefined {
  const lockFile = lockFileOf(dataDir);
  const owner = readOwner(lockFile);
  if (owner === undefined) return undefined;
  return isGone(owner, lockFile) ? undefined : owner;
}

/**
 * Takes the directory (which must exist) for this process, or throws
 * DataDirInUseError naming the live owner. Released by `release()` or, at the
 * latest, when the process exits.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockFile = lockFileOf(dataDir);
  const owner: DataDirOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: commandLine(),
    adminSocket: null,
  };
  if (held.has(lockFile)) throw new DataDirInUseError(dataDir, lockFile, owner);
  for (let attempt = 0; ; attempt += 1) {
    if (createExclusive(lockFile, owner)) break;
    const current = readOwner(lockFile);
    // Deleted between our attempt and the read: try again.
    if (current === undefined && attempt < 20) continue;
    if (current === undefined) throw new Error(`could not create ${lockFile}`);
    if (!isGone(current, lockFile) || attempt >= 5) {
      throw new DataDirInUseError(dataDir, lockFile, current);
    }
    removeStale(lockFile, current);
  }
  held.add(lockFile);

  let current = owner;
  let released = false;
  const ownsFile = () => {
    const onDisk = readOwnerQuietly(lockFile);
    return onDisk?.pid === owner.pid && onDisk.startedAt === owner.startedAt;
  };
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    held.delete(lockFile);
    if (ownsFile()) rmSync(lockFile, { force: true });
  };
  process.on("exit", release);
  return {
    dataDir,
    lockFile,
    get owner() {
      return current;
    },
    setAdminSocket(path) {
      if (released || !ownsFile()) return;
      current = { ...current, adminSocket: path };
      // A complete new file renamed over the old one: readers see one or the other.
      const temporary = `${lockFile}.${process.pid}.${randomBytes(4).toString("hex")}`;
      writeFileSync(temporary, JSON.stringify(current), { mode: 0o600 });
      renameSync(temporary, lockFile);
    },
    release,
  };
}

/** True when the lock file was created with `owner` in it; false when one exists already. */
function createExclusive(lockFile: string, owner: DataDirOwner): boolean {
  const temporary = `${lockFile}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(temporary, JSON.stringify(owner), { mode: 0o600, flag: "wx" });
  try {
    linkSync(temporary, lockFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // A file system without hard links: an exclusive create (a reader may, for an
    // instant, find it empty, and then reads it as "no lock yet").
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") {
      try {
        writeFileSync(lockFile, JSON.stringify(owner), { mode: 0o600, flag: "wx" });
        return true;
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw inner;
      }
    }
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Deletes a stale lock, holding the takeover lock while it checks that the file
 * still names the same dead owner: of two processes that found it stale, the
 * second finds either nothing or the first one's fresh lock, never deletes it.
 */
function removeStale(lockFile: string, stale: DataDirOwner): void {
  const takeover = `${lockFile}.takeover`;
  const me: DataDirOwner = { ...stale, pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 40; attempt += 1) {
    if (createExclusive(takeover, me)) {
      try {
        const current = readOwnerQuietly(lockFile);
        if (current?.pid === stale.pid && current.startedAt === stale.startedAt) {
          unlinkSync(lockFile);
        }
      } finally {
        rmSync(takeover, { force: true });
      }
      return;
    }
    // Another process is taking over: left by a dead one, it is removed; else wait for it.
    const other = readOwnerQuietly(takeover);
    if (other !== undefined && isGone(other, takeover)) rmSync(takeover, { force: true });
    else sleep(25);
  }
}

function readOwner(lockFile: string): DataDirOwner | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  // Empty: being created by an exclusive create (no hard links); the next look sees it.
  if (text === "") return undefined;
  let parsed: ReturnType<typeof ownerSchema.safeParse>;
  try {
    parsed = ownerSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = ownerSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    throw new Error(
      `${lockFile} is not an OTP lock file; if no process has the database open, delete it`,
    );
  }
  return parsed.data;
}

function readOwnerQuietly(lockFile: string): DataDirOwner | undefined {
  try {
    return readOwner(lockFile);
  } catch {
    return undefined;
  }
}

/**
 * True when the owner's process is known to be gone: on this host and not
 * running, or this process's own pid without this process holding the lock (a
 * lock left by an earlier process that had the same pid, as after a container
 * restart). A process on another host cannot be checked: never gone.
 */
function isGone(owner: DataDirOwner, lockFile: string): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !held.has(lockFile);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: running, as another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function commandLine(): string {
  const words = [basename(process.argv0), ...process.argv.slice(1)];
  const text = words.join(" ");
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
