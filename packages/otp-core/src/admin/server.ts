/**
 * The local admin endpoint of the process that owns an embedded data directory:
 * `pnpm otp stats|cleanup|migrate` finds its Unix socket in the directory's lock
 * file and has the owner run the command on the database it already has open,
 * so the directory is never opened twice (ADR 0019). The socket is the owner's
 * user's only (mode 0600); each connection carries one request line, validated,
 * and gets one answer line.
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import type { DatabaseHandle } from "../db/client.js";
import { adminSocketPath, type DataDirLock } from "../db/owner.js";
import type { PasscodePolicy } from "../rules/policy.js";
import { type CommandOutput, cleanupCommand, migrateCommand, statsCommand } from "./commands.js";
import {
  type AdminAnswer,
  type AdminRequest,
  adminRequestSchema,
  MAX_ADMIN_REQUEST_BYTES,
} from "./protocol.js";

export interface AdminServerOptions {
  /** The open database the commands run on (this process's, the lock's directory). */
  database: DatabaseHandle;
  lock: DataDirLock;
  /** The policy the process enforces: what cleanup counts as finished windows. */
  policy: PasscodePolicy;
  /** Told of each request served and of each failure (a command's error goes to the CLI too). */
  onRequest?: (command: string, error?: unknown) => void;
  now?: () => Date;
}

export interface AdminServer {
  path: string;
  /** Stops naming the socket in the lock file, stops listening, and waits for running commands. */
  close(): Promise<void>;
}

/** Seconds a connection may take to send its request line. */
const REQUEST_TIMEOUT_MS = 10_000;

export async function serveAdmin(options: AdminServerOptions): Promise<AdminServer> {
  const { database, lock, policy } = options;
  const now = options.now ?? (() => new Date());
  const path = adminSocketPath(lock.dataDir);
  const running = new Set<Promise<void>>();

  const run = (request: AdminRequest): Promise<CommandOutput> => {
    switch (request.command) {
      case "migrate":
        return migrateCommand(database, lock.dataDir);
      case "stats":
        return statsCommand(database, now());
      case "cleanup":
        return cleanupCommand(
          database,
          {
            used: request.used,
            expired: request.expired,
            olderThan: request.olderThan === null ? null : new Date(request.olderThan),
            outboxRetentionDays: request.outboxRetentionDays,
            securityEventRetentionDays: request.securityEventRetentionDays,
          },
          policy,
          now(),
        );
    }
  };

  const answer = (socket: Socket, reply: AdminAnswer) => {
    socket.end(`${JSON.stringify(reply)}\n`);
  };

  const handle = async (socket: Socket, line: string) => {
    let request: AdminRequest;
    try {
      const parsed = adminRequestSchema.safeParse(JSON.parse(line));
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (issue) => `${issue.path.join(".") || "request"}: ${issue.message}`,
        );
        answer(socket, { ok: false, error: `invalid request: ${problems.join("; ")}` });
        options.onRequest?.("invalid", new Error(problems.join("; ")));
        return;
      }
      request = parsed.data;
    } catch {
      answer(socket, { ok: false, error: "invalid request: not JSON" });
      options.onRequest?.("invalid", new Error("not JSON"));
      return;
    }
    try {
      const output = await run(request);
      answer(socket, { ok: true, lines: output.lines, json: output.json });
      options.onRequest?.(request.command);
    } catch (error) {
      answer(socket, { ok: false, error: (error as Error).message });
      options.onRequest?.(request.command, error);
    }
  };

  const server = createServer((socket) => {
    let received = "";
    socket.setEncoding("utf8");
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on("error", () => {});
    const onData = (chunk: string) => {
      received += chunk;
      const end = received.indexOf("\n");
      if (end === -1 && Buffer.byteLength(received) <= MAX_ADMIN_REQUEST_BYTES) return;
      socket.off("data", onData);
      socket.setTimeout(0);
      if (end === -1 || end > MAX_ADMIN_REQUEST_BYTES) {
        answer(socket, {
          ok: false,
          error: `invalid request: longer than ${MAX_ADMIN_REQUEST_BYTES} bytes`,
        });
        return;
      }
      const work = handle(socket, received.slice(0, end)).finally(() => running.delete(work));
      running.add(work);
    };
    socket.on("data", onData);
  });

  // This process holds the lock: a socket file left there is from an owner that died.
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // The socket is created with no access for group and others (the chmod below repeats it
    // where the umask cannot be set, in a worker thread).
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {}
    try {
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  chmodSync(path, 0o600);
  lock.setAdminSocket(path);

  let closing: Promise<void> | undefined;
  return {
    path,
    close() {
      closing ??= (async () => {
        lock.setAdminSocket(null);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...running]);
        rmSync(path, { force: true });
      })();
      return closing;
    },
  };
}
