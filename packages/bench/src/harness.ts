/**
 * What the bench (src/bench.ts) and the probe (src/probe.ts) share: cleanup on
 * every way out, the fresh database, the API's environment, the HTTP call.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { restPath, trpcPath } from "@otp/api";
import { createDatabase } from "@otp/core/db";
import type { Sql } from "postgres";
import type { Pool } from "undici";
import type { ApiProcess } from "./api-process.js";
import type { Outcome } from "./load.js";
import { haltAllLoops, sleep } from "./load.js";

export const SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
export const PASSWORD = "correct horse battery staple";
/** The paths the bench calls, from the API's operation declarations. */
export const REST = {
  register: restPath("auth.register"),
  verify: restPath("auth.verifyEmail"),
  resend: restPath("auth.resendCode"),
};
export const TRPC = {
  verify: trpcPath("auth.verifyEmail"),
  resend: trpcPath("auth.resendCode"),
};
export const POOL_SIZE = 10;

export function log(line: string): void {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${line}\n`);
}

// ---------------------------------------------------------------- cleanup on every way out

const cleanups: (() => Promise<void>)[] = [];
/** The API child currently running, killed synchronously if this process exits abruptly. */
export const running: { api: ApiProcess | null } = { api: null };

export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop() as () => Promise<void>;
    await Promise.race([cleanup().catch((error) => log(`cleanup: ${error}`)), sleep(15_000)]);
  }
}

let shutdown: Promise<void> | null = null;

/**
 * Runs the cleanups once (stops the load, the API, the clients; drops the
 * database) and exits. A second caller (say, main() failing because Ctrl-C
 * closed its clients) waits for the first one's cleanups instead of exiting early.
 */
export async function finish(code: number, reason?: string): Promise<never> {
  if (shutdown === null) {
    if (reason !== undefined) log(`stopping: ${reason}`);
    haltAllLoops();
    shutdown = runCleanups();
    await shutdown;
    process.exit(code);
  }
  await shutdown;
  return new Promise<never>(() => {}); // the first caller exits
}

/** Ctrl-C, kill, a parent that goes away, or an exit: the API is stopped and the database dropped. */
export function installLifecycle(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void finish(130, signal));
  }
  process.on("exit", () => running.api?.killNow());
  // pnpm may die without passing a signal on: then our parent changes, and we stop.
  const initialParent = process.ppid;
  setInterval(() => {
    if (process.ppid !== initialParent) void finish(1, "the parent process went away");
  }, 500).unref();
}

// ---------------------------------------------------------------- database and API

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "127.0.0.1" || host === "localhost" || host === "::1";
}

/**
 * A new, migrated database on the local server, dropped by the cleanups
 * (registered before anything else can fail). Databases left by a run that
 * was killed outright (SIGKILL) are dropped by a later run once they are 15
 * minutes old (a run takes under 10) and nothing is connected to them.
 */
export async function createBenchDatabase(
  admin: Sql,
  adminUrl: string,
): Promise<{ url: string; name: string }> {
  const stale = await admin<{ datname: string }[]>`
    SELECT datname FROM pg_database d WHERE datname LIKE 'otp_bench_%'
      AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`;
  for (const { datname } of stale) {
    const createdAt = Number.parseInt(datname.split("_")[2] ?? "", 36);
    if (Number.isFinite(createdAt) && Date.now() - createdAt > 15 * 60_000) {
      log(`dropping ${datname}, left by an earlier run`);
      await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }
  const name = `otp_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0`);
  onCleanup(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // Pool of 2: migrate() holds one connection for its advisory lock and migrates on another.
  const handle = await createDatabase({ url: url.toString(), poolSize: 2 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  return { url: url.toString(), name };
}

/**
 * After the fixtures are inserted: statistics for the tables they filled, as a live database
 * would have. The tables a run fills from empty (otp_attempts, send_limits, email_outbox,
 * sessions) are left unanalysed, as after migrations: analysed while empty, PostgreSQL would
 * record them as known-empty, and the cached generic plans made then would keep scanning them
 * sequentially as they grow, until autovacuum's next ANALYZE (see BENCHMARKS.md). Then a
 * CHECKPOINT, so the flush of the inserted rows does not land in (and bill its CPU and
 * full-page writes to) whichever phase happens to be running then.
 */
export async function settleFixtures(sql: Sql): Promise<void> {
  await sql`VACUUM ANALYZE users, passcodes`;
  await sql`CHECKPOINT`;
}

/** The API's log level when BENCH_LOG_LEVEL sets one; otherwise the API's default. */
export const BENCH_LOG_LEVEL = process.env.BENCH_LOG_LEVEL || undefined;

/**
 * The API's environment: production at the default log level (what users run; BENCH_LOG_LEVEL
 * overrides it), rate limits off, send cap raised, inline delivery.
 */
export function apiEnvironment(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    ...(BENCH_LOG_LEVEL === undefined ? {} : { LOG_LEVEL: BENCH_LOG_LEVEL }),
    HOST: "127.0.0.1",
    PORT: "0",
    APP_URL: "https://bench.example.com",
    APP_SECRET: SECRET,
    SMTP_URL: "smtp://bench.invalid:25", // required in production; the injected transport is used
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    RATE_LIMIT_ENABLED: "false",
    OTP_SEND_LIMIT: "1000",
    DELIVERY: "inline",
  };
}

export async function post(
  pool: Pool,
  path: string,
  body: object,
  expected: number,
): Promise<Outcome> {
  const response = await pool.request({
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.statusCode === expected) {
    await response.body.dump();
    return "ok";
  }
  const text = await response.body.text();
  return { error: `${path} answered ${response.statusCode}: ${text.slice(0, 200)}` };
}
