import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres, { type ReservedSql, type Sql } from "postgres";
import { applyMigrations, type MigrateOptions } from "./migrate.js";
import { acquireDataDirLock, type DataDirLock } from "./owner.js";
import { THEN_COMMIT } from "./rows.js";
import { schema } from "./schema.js";

/** The Drizzle database, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseKind = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseKind;
  /** Applies the committed migrations (idempotent; safe to run from several processes). */
  migrate(options?: MigrateOptions): Promise<void>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (PostgreSQL LISTEN; PGlite's
   * in-process equivalent). Resolves to a function that stops listening.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Cheap liveness probe: true when a trivial query answers within `timeoutMs` (default 2 s). */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * PostgreSQL only (PGlite has one connection and no pool): connections busy
   * with a statement or a transaction, and the work waiting for one, counted
   * at the client (postgres.js publishes no pool counters).
   */
  poolUsage?(): PoolUsage;
  /** PostgreSQL only: from now on, `hook` sees every statement (see DatabaseOptions.onStatement). */
  observeStatements?(hook: StatementHook | undefined): void;
  /**
   * PGlite in a directory: this process's lock on it (one owner per directory,
   * see owner.ts), released by `close`.
   */
  dataDirLock?: DataDirLock;
  /**
   * PostgreSQL only: how many times the pool was dropped and opened again because a
   * server refused writes or went away (see `RECYCLING_ERROR_CODES`).
   */
  recycles?(): number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * `postgres://` or `postgresql://` URL: a PostgreSQL server through postgres.js.
   * Unset: embedded PGlite, in `dataDir` if given, in memory otherwise.
   */
  url?: string | undefined;
  /** PGlite data directory (created if missing). Ignored with a URL. */
  dataDir?: string | undefined;
  /**
   * PostgreSQL only: the server itself, for what a transaction-pooling PgBouncer in `url`
   * cannot carry: LISTEN (a session that outlives transactions) and the migrations (a
   * session advisory lock). Unset: `url`.
   */
  directUrl?: string | undefined;
  /**
   * PostgreSQL only: send statements as named prepared statements, each connection
   * keeping its plans (default true). False through a PgBouncer in transaction mode,
   * whose server connections change between transactions (PgBouncer 1.18, Debian 12's,
   * keeps no prepared statements there): every statement is then sent unnamed.
   */
  preparedStatements?: boolean | undefined;
  /** postgres.js pool size. */
  poolSize?: number | undefined;
  /** postgres.js: seconds to wait for a connection before failing. */
  connectTimeoutSeconds?: number | undefined;
  /**
   * PostgreSQL only: called as each statement is sent, with its text (values
   * are parameters, never in the text); the function it returns is called when
   * the statement settles, with its error if it failed. For tracing.
   */
  onStatement?: StatementHook | undefined;
  /**
   * PostgreSQL only: called with each statement's text as it is written to a
   * connection (postgres.js's `debug`), BEGIN and COMMIT included, with the
   * connection's number: what the server receives, in order. For the
   * statement-count test; unset in production.
   */
  onWire?: ((connection: number, text: string) => void) | undefined;
}

export type StatementHook = (text: string) => (error?: unknown) => void;

/** The statement hook in force, shared by the pool and its transactions (set after opening too). */
interface StatementObserver {
  hook: StatementHook | undefined;
}

export interface PoolUsage {
  size: number;
  inUse: number;
  waiting: number;
}

/** Statements in flight on the pool and transactions holding or awaiting a connection. */
interface PoolCounters {
  statements: number;
  reserved: number;
  reserving: number;
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url !== undefined && options.url !== "") {
    if (!isPostgresUrl(options.url)) {
      throw new Error("database URL must start with postgres:// or postgresql://");
    }
    return openPostgres(options.url, options);
  }
  return openPglite(options.dataDir);
}

/**
 * Errors after which the pool's connections are dropped and new ones opened: the server
 * refused a write because it is (now) a read-only standby (25006), or it is shutting down
 * or starting (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now). A
 * connection opened to the primary before a switchover is still open to the same server
 * after it, and postgres.js checks `target_session_attrs` only when it connects; new
 * connections find the new primary among the URL's hosts.
 */
export const RECYCLING_ERROR_CODES: ReadonlySet<string> = new Set([
  "25006",
  "57P01",
  "57P02",
  "57P03",
]);

/** At most one recycle per this many ms: a burst of errors from one outage drops the pool once. */
const RECYCLE_INTERVAL_MS = 1000;

function openPostgres(url: string, options: DatabaseOptions): DatabaseHandle {
  const prepare = options.preparedStatements ?? true;
  const directUrl = options.directUrl || url;
  const settings = {
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    // Reconnect quickly after an outage: postgres.js's default backoff is shared by the
    // pool and grows to 20 s, so a short outage would keep the API failing long after it.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    onnotice: () => {},
    prepare,
    ...(options.onWire === undefined
      ? {}
      : { debug: (connection: number, text: string) => options.onWire?.(connection, text) }),
  };
  const poolSize = options.poolSize ?? 10;
  const first = postgres(url, { ...settings, max: poolSize });
  const pool = { client: first, recycles: 0, recycledAt: 0 };
  // The liveness probe has a connection of its own: in an outage the pool's queue holds
  // every waiting request, and a probe queued behind them would answer late instead of
  // saying at once that the server refuses connections. Opened on the first probe.
  let probe: Sql | undefined;
  // LISTEN has a client of its own, on the direct URL; its subscriptions are made again
  // on a new one after a recycle.
  let listener: Sql | undefined;
  const subscriptions = new Map<
    number,
    { channel: string; onNotify: () => void; stop?: () => Promise<void> }
  >();
  let nextSubscription = 0;
  const subscribe = async (id: number) => {
    const entry = subscriptions.get(id);
    if (entry === undefined) return;
    listener ??= postgres(directUrl, { ...settings, max: 1 });
    const subscription = await listener.listen(entry.channel, () => entry.onNotify());
    entry.stop = () => subscription.unlisten();
  };
  // Once closed, no error may open a new pool: the handle's connections are released for good.
  let closed = false;
  const recycle = () => {
    if (closed) return;
    const now = Date.now();
    if (now - pool.recycledAt < RECYCLE_INTERVAL_MS) return;
    pool.recycledAt = now;
    pool.recycles += 1;
    const old = pool.client;
    const fresh = postgres(url, { ...settings, max: poolSize });
    // drizzle set its type parsers on the first client's options; the new one needs them too.
    Object.assign(fresh.options.parsers, first.options.parsers);
    Object.assign(fresh.options.serializers, first.options.serializers);
    pool.client = fresh;
    // Statements in flight on the old pool finish or fail there; nothing new goes to it.
    void old.end({ timeout: 5 }).catch(() => {});
    const oldProbe = probe;
    probe = undefined;
    void oldProbe?.end({ timeout: 1 }).catch(() => {});
    const oldListener = listener;
    listener = undefined;
    if (oldListener !== undefined) {
      void oldListener.end({ timeout: 1 }).catch(() => {});
      for (const [id, entry] of subscriptions) {
        // Missed notifications are the dispatcher's idle poll's to catch.
        subscribe(id).catch(() => {
          entry.stop = undefined;
        });
      }
    }
  };
  const counters: PoolCounters = { statements: 0, reserved: 0, reserving: 0 };
  const statementObserver: StatementObserver = { hook: options.onStatement };
  const onError = (error: unknown) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && RECYCLING_ERROR_CODES.has(code)) recycle();
  };
  const db = drizzlePostgres({
    client: preparingClient(
      () => {
        // postgres.js opens a connection for reserve() even after end(): refuse instead.
        if (closed)
          throw Object.assign(new Error("the database handle is closed"), {
            code: "CONNECTION_ENDED",
          });
        return pool.client;
      },
      {
        prepare,
        counters,
        statements: statementObserver,
        onError,
      },
    ),
    schema,
  }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    migrate: async (migrateOptions) => {
      if (directUrl === url) {
        return applyMigrations({ kind: "postgres", db, client: pool.client }, migrateOptions);
      }
      // The migrations' session lock needs the server itself, not a transaction pooler.
      const direct = postgres(directUrl, { ...settings, max: 2 });
      try {
        const directDb = drizzlePostgres({ client: direct, schema }) as unknown as Database;
        await applyMigrations({ kind: "postgres", db: directDb, client: direct }, migrateOptions);
      } finally {
        await direct.end({ timeout: 5 });
      }
    },
    listen: async (channel, onNotify) => {
      const id = nextSubscription++;
      subscriptions.set(id, { channel, onNotify });
      try {
        await subscribe(id);
      } catch (error) {
        subscriptions.delete(id);
        throw error;
      }
      return async () => {
        const entry = subscriptions.get(id);
        subscriptions.delete(id);
        await entry?.stop?.();
      };
    },
    ping: (timeoutMs = 2000) => {
      probe ??= postgres(url, { ...settings, max: 1, idle_timeout: 60 });
      return withDeadline(
        probe`select 1`.then(() => true),
        timeoutMs,
      );
    },
    observeStatements: (hook) => {
      statementObserver.hook = hook;
    },
    poolUsage: () => {
      const busy = counters.statements + counters.reserved;
      return {
        size: poolSize,
        inUse: Math.min(poolSize, busy),
        waiting: Math.max(0, busy + counters.reserving - poolSize),
      };
    },
    recycles: () => pool.recycles,
    close: async () => {
      closed = true;
      await Promise.all([
        pool.client.end({ timeout: 5 }),
        probe?.end({ timeout: 5 }),
        listener?.end({ timeout: 5 }),
      ]);
    },
  };
}

/**
 * Drizzle runs `db.execute` statements unprepared, so postgres.js sends Parse and
 * Describe and waits for the answer before every Bind and Execute: two round trips
 * and a fresh plan per statement. Every statement here has a fixed text (values are
 * always parameters), so preparing them is safe and lets each connection reuse its
 * plans. Measured on verify: about +60% requests/s and -60% PostgreSQL CPU.
 * (Not through PgBouncer in transaction mode, which cannot keep prepared statements:
 * `prepare` false there.)
 *
 * `current` gives the client to use at each call: the pool's, which a recycle replaces,
 * or a transaction's reserved connection.
 */
interface ClientWrapping {
  prepare: boolean;
  onFinal?: FinalStatementHook | undefined;
  /**
   * Called before a statement is made, and throws to refuse it: a refused statement must
   * never exist, since postgres.js sends a query it made even when nobody awaits it.
   */
  beforeStatement?: (() => void) | undefined;
  counters?: PoolCounters | undefined;
  statements?: StatementObserver | undefined;
  /** Sees every failed statement (the pool's recycling rule). */
  onError?: ((error: unknown) => void) | undefined;
}

function preparingClient<T extends Sql>(current: () => T, wrapping: ClientWrapping): T {
  const { prepare, onFinal, beforeStatement, counters, statements, onError } = wrapping;
  return new Proxy(current(), {
    get(_target, property) {
      const target = current();
      const value = Reflect.get(target, property, target);
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], options?: object) => {
          beforeStatement?.();
          const pending = (value as Sql["unsafe"]).call(target, query, parameters as never, {
            ...options,
            prepare,
          });
          const finish = statements?.hook?.(query);
          if (finish !== undefined || onError !== undefined) {
            pending.then(
              () => finish?.(),
              (error: unknown) => {
                finish?.(error);
                onError?.(error);
              },
            );
          }
          if (counters !== undefined) {
            // Attaching settles nothing early: postgres.js starts the statement a
            // microtask later, after drizzle has chosen rows or values.
            counters.statements += 1;
            const settled = () => {
              counters.statements -= 1;
            };
            pending.then(settled, settled);
          }
          return onFinal === undefined ? pending : onFinal(query, pending);
        };
      }
      // Only the pool has `begin`; a transaction's reserved connection has none
      // (no nested transactions here).
      if (property === "begin" && typeof value === "function") {
        return (...args: unknown[]) =>
          pipelinedBegin(
            target,
            typeof args[0] === "string" && args.length > 1 ? args[0] : "",
            args.at(-1) as (transaction: Sql) => unknown,
            wrapping,
          );
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

type FinalStatementHook = <Q extends ReturnType<Sql["unsafe"]>>(query: string, pending: Q) => Q;

/**
 * postgres.js's `begin` waits for BEGIN's answer before the callback sends its
 * first statement: one idle round trip per transaction. Here BEGIN is sent on a
 * reserved connection and the first statement follows it at once (pipelined);
 * PostgreSQL runs them in order, and a statement after a failed BEGIN fails
 * too. Any error rolls back.
 *
 * COMMIT normally waits for the callback. A statement whose text starts with
 * `THEN_COMMIT` is the transaction's last: COMMIT is sent right behind it, in
 * the same write, saving the round trip (if that statement fails, the server
 * turns the COMMIT into a rollback). A statement after it is refused.
 */
async function pipelinedBegin<T>(
  client: Sql,
  mode: string,
  callback: (transaction: Sql) => T | Promise<T>,
  wrapping: ClientWrapping,
): Promise<T> {
  const { counters, onError } = wrapping;
  if (counters !== undefined) counters.reserving += 1;
  let connection: ReservedSql;
  try {
    connection = await client.reserve();
  } finally {
    if (counters !== undefined) counters.reserving -= 1;
  }
  if (counters !== undefined) counters.reserved += 1;
  const began = connection.unsafe(`begin ${mode.replace(/[^a-z ]/gi, "")}`).execute();
  let committed: Promise<unknown> | null = null;
  const beforeStatement = () => {
    if (committed !== null) {
      throw new Error("a statement after the transaction's final (THEN_COMMIT) statement");
    }
  };
  const onFinal: FinalStatementHook = (query, pending) => {
    if (!query.startsWith(THEN_COMMIT)) return pending;
    // Both sent now, in this order, on this connection: the statement, then COMMIT.
    pending.execute();
    committed = connection.unsafe("commit").execute();
    committed.catch(() => {});
    return pending;
  };
  try {
    const result = await callback(
      preparingClient(() => connection, {
        prepare: wrapping.prepare,
        onFinal,
        beforeStatement,
        statements: wrapping.statements,
        onError,
      }),
    );
    await began;
    await (committed ?? connection.unsafe("commit"));
    return result;
  } catch (error) {
    await began.catch(() => {});
    if (committed === null) await connection.unsafe("rollback").catch(() => {});
    else await (committed as Promise<unknown>).catch(() => {});
    throw error;
  } finally {
    connection.release();
    if (counters !== undefined) counters.reserved -= 1;
  }
}

/**
 * PGlite's shared buffers. Its default, 128 MB, is all touched at start (about
 * 150 MB of the process's resident memory, idle); the embedded database serves
 * one process and small data, and 16 MB holds its hot pages.
 */
const PGLITE_SHARED_BUFFERS = "16MB";

/**
 * Creating a PGlite data directory runs initdb in a WebAssembly instance of its
 * own, whose memory stays with the process (about 450 MB more, measured: 780 MB
 * resident against 310 MB for opening an existing directory). A new directory is
 * therefore created by a short-lived child process, and this one only opens it.
 */
async function initializePgliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const pglite = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const script = `const { PGlite } = require(process.argv[1]);
    PGlite.create(process.argv[2]).then((db) => db.close()).catch((error) => {
      console.error(error); process.exit(1);
    });`;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ["-e", script, pglite, dataDir], (error, _stdout, stderr) =>
      error === null
        ? resolve()
        : reject(
            new Error(
              `could not create the embedded database in ${dataDir}: ${stderr || error.message}`,
            ),
          ),
    );
  });
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  let lock: DataDirLock | undefined;
  if (dataDir !== undefined && !dataDir.startsWith("memory://")) {
    mkdirSync(dataDir, { recursive: true });
    // Before anything reads or writes the directory: one process at a time.
    lock = acquireDataDirLock(dataDir);
  }
  try {
    if (dataDir !== undefined && lock !== undefined) await initializePgliteDataDir(dataDir);
    // Loaded only when used: a process on PostgreSQL (the CLI's `stats`, say) does not pay for
    // PGlite's module and WebAssembly at start.
    const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("drizzle-orm/pglite"),
    ]);
    const client = await PGlite.create(dataDir, {
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    const db = drizzlePglite({ client, schema }) as unknown as Database;
    return {
      db,
      kind: "pglite",
      migrate: (migrateOptions) => applyMigrations({ kind: "pglite", db, client }, migrateOptions),
      listen: async (channel, onNotify) => client.listen(channel, () => onNotify()),
      ping: (timeoutMs = 2000) =>
        withDeadline(
          client.query("select 1").then(() => true),
          timeoutMs,
        ),
      ...(lock === undefined ? {} : { dataDirLock: lock }),
      close: async () => {
        try {
          await client.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** False when `check` fails or has not answered within `timeoutMs`. */
async function withDeadline(check: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check.catch(() => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
