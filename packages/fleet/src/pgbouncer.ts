/**
 * Debian's PgBouncer (1.18) in transaction pooling, in front of a PostgreSQL server, on a
 * free loopback port with its configuration in a temporary directory. Few server
 * connections for many clients, so consecutive transactions of one client connection
 * land on different server connections, as they do in production.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@otp/reliability/http";
import postgres from "postgres";
import {
  freePort,
  programAvailable,
  removeDir,
  type ServerProcess,
  serverDir,
  startServer,
} from "./system.js";

export const PGBOUNCER_BIN = "/usr/sbin/pgbouncer";

export interface PgBouncer {
  readonly port: number;
  /** `url` (a database URL of the server behind it) with the bouncer's host and port. */
  urlFor(url: string): string;
  /** SHOW STATS-like counters from the admin console. */
  show(what: "POOLS" | "STATS"): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export function pgbouncerAvailable(): boolean {
  return programAvailable(PGBOUNCER_BIN, "PgBouncer (Debian package pgbouncer)");
}

export async function startPgBouncer(server: {
  host: string;
  port: number;
  user: string;
  /** Server connections per (database, user): few, so clients share them. */
  poolSize?: number;
}): Promise<PgBouncer> {
  const dir = serverDir("pgbouncer");
  const port = await freePort();
  const config = join(dir, "pgbouncer.ini");
  writeFileSync(
    config,
    `[databases]
* = host=${server.host} port=${server.port} user=${server.user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = any
admin_users = ${server.user}
pool_mode = transaction
default_pool_size = ${server.poolSize ?? 4}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,options
logfile = ${join(dir, "pgbouncer.log")}
pidfile = ${join(dir, "pgbouncer.pid")}
`,
    { mode: 0o644 },
  );
  const process: ServerProcess = startServer(PGBOUNCER_BIN, [config]);
  const admin = () =>
    postgres({
      host: "127.0.0.1",
      port,
      database: "pgbouncer",
      user: server.user,
      max: 1,
      connect_timeout: 2,
      fetch_types: false,
      prepare: false,
      onnotice: () => {},
    });
  await waitFor(
    "PgBouncer to accept connections",
    async () => {
      const sql = admin();
      try {
        await sql.unsafe("SHOW VERSION").simple();
        return true;
      } catch {
        return null;
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${process.output()}`);
  });
  return {
    port,
    urlFor(url) {
      const via = new URL(url);
      via.hostname = "127.0.0.1";
      via.port = String(port);
      return via.toString();
    },
    async show(what) {
      const sql = admin();
      try {
        return (await sql.unsafe(`SHOW ${what}`).simple()) as unknown as Array<
          Record<string, unknown>
        >;
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
    async stop() {
      await process.stop(5_000);
      removeDir(dir);
    },
  };
}
