/**
 * `pnpm bench:scale [--scale <fraction>] [--refill] [--seconds <n>] [--fill-only]`:
 * the API on a big database against the same API on an empty one, in one run
 * (`--fill-only`: fill the big database, or find it filled, and stop).
 *
 * The big database (`otp_scale_big`, src/scale-fill.ts) is filled once and kept
 * for later runs (its scale is recorded as the database's comment; `--refill`
 * or another `--scale` fills it again). Every run measures on a file copy of
 * it (`otp_scale_run`, CREATE DATABASE ... TEMPLATE, statistics included), so
 * the cleanup it measures finds the same rows every time, and on a freshly
 * migrated `otp_scale_empty`. On each: verify at c=32; a burst of resends at
 * c=32 to distinct accounts, with the emails delivered by the API's own
 * dispatcher through the capture transport (src/server.ts) during and after
 * it, and the backlog over time; `pnpm otp stats` as a subprocess. On the big
 * one also `pnpm otp cleanup` as a subprocess while verify runs at c=32.
 * Writes its section of BENCHMARKS.md (between the `scale` markers) and
 * nothing else there.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { hash } from "@node-rs/argon2";
import { DEFAULT_ARGON2 } from "@otp/core";
import { createDatabase } from "@otp/core/db";
import { deriveKeys } from "@otp/core/internal";
import { readStats } from "@otp/core/repositories";
import postgres, { type Sql } from "postgres";
import { Pool } from "undici";
import { ApiProcess } from "./api-process.js";
import { AccountPool, insertAccounts } from "./fixtures.js";
import {
  apiEnvironment,
  finish,
  installLifecycle,
  log,
  onCleanup,
  PASSWORD,
  POOL_SIZE,
  post,
  REST,
  running,
  SECRET,
  settleFixtures,
} from "./harness.js";
import { ClosedLoop, sleep, type WindowStats } from "./load.js";
import { type FillSizes, type FillTiming, fillBigDatabase, fillSizes } from "./scale-fill.js";
import { readSection, writeSection } from "./sections.js";

const BIG = "otp_scale_big";
const RUN = "otp_scale_run";
const EMPTY = "otp_scale_empty";
const CONCURRENCY = 32;
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const OUTPUT = process.env.BENCH_OUTPUT ?? `${REPO_ROOT}BENCHMARKS.md`;
/** Verifications per second assumed when sizing the prepared accounts (x2 margin below). */
const VERIFY_RATE_GUESS = 1_500;
const SAMPLE_MS = 250;
const TARGETS = { ratio: 0.85, cleanupP99Ratio: 2, statsMs: 2_000 };

interface BurstResult {
  resends: number;
  errors: number;
  resendsPerSecond: number;
  burstSeconds: number;
  deliveredDuringPerSecond: number;
  afterSeconds: number;
  deliveredAfterPerSecond: number;
  pendingAtBurstEnd: number;
  peakPending: number;
  /** Least-squares slope of the backlog over the burst's second half, emails/s. */
  backlogSlopePerSecond: number;
  /** Backlog (emails waiting) every SAMPLE_MS from the burst's start until it drained. */
  backlog: { atSeconds: number; pending: number; sent: number }[];
}

interface DatabaseResult {
  label: "empty" | "big";
  rows: Record<string, number>;
  verify: WindowStats;
  /** Write-ahead log written during the verify window, per verification (bytes). */
  verifyWalBytes: number;
  /** Tables read sequentially during the verify window, and how much per verification. */
  verifySeqScans: { table: string; scans: number; rows: number }[];
  burst: BurstResult;
  stats: { ms: number; output: string; queryMs: number };
  cleanup?: { ms: number; output: string; verify: WindowStats; coveredPercent: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      scale: { type: "string", default: "1" },
      refill: { type: "boolean", default: false },
      "fill-only": { type: "boolean", default: false },
      seconds: { type: "string", default: "8" },
    },
  });
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new Error(`--scale must be a fraction in (0, 1], got ${values.scale}`);
  }
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 1) throw new Error("--seconds must be at least 1");
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const urlOf = (name: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  onCleanup(() => admin.end({ timeout: 5 }));
  const passwordHash = await hash(PASSWORD, DEFAULT_ARGON2);
  const sizes = fillSizes(scale);
  const burstSize = Math.max(2_000, Math.round(20_000 * scale));

  // ------------------------------------------------------------ the big database, filled once
  const fill = await ensureBigDatabase(
    admin,
    urlOf(BIG),
    scale,
    sizes,
    passwordHash,
    values.refill,
  );
  if (values["fill-only"]) {
    log(
      `${BIG} holds the fill of scale ${scale} (${(fill.sizeBytes / 1e9).toFixed(1)} GB); --fill-only: not measuring`,
    );
    return;
  }

  const results: DatabaseResult[] = [];
  for (const label of ["empty", "big"] as const) {
    const name = label === "empty" ? EMPTY : RUN;
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const copyStarted = performance.now();
    if (label === "empty") {
      await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0`);
    } else {
      await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${BIG}" STRATEGY FILE_COPY`);
      log(`copied ${BIG} to ${name} in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);
    }
    const drop = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    onCleanup(drop);
    await migrate(urlOf(name));
    results.push(await measure(label, urlOf(name), passwordHash, burstSize, seconds));
    await drop();
  }

  // ------------------------------------------------------------ report
  const section = renderSection({
    scale,
    sizes,
    fill,
    results,
    seconds,
    burstSize,
    startedAt,
    finishedAt: new Date(),
    loadAtStart,
  });
  let document = "";
  try {
    document = readFileSync(OUTPUT, "utf8");
  } catch {
    document = "# Benchmarks\n";
  }
  // The hand-written analysis inside the section is kept from run to run.
  const notes =
    readSection(document, "scale-notes") ??
    "<!-- scale-notes:start -->\n(Analysis of the figures, written by hand.)\n<!-- scale-notes:end -->";
  writeFileSync(OUTPUT, writeSection(document, "scale", `${section}\n${notes}\n`));
  console.log(section);
  log(`wrote the scale section of ${OUTPUT}`);
}

/** Fills `otp_scale_big` unless it already holds a fill of this scale (and no --refill). */
async function ensureBigDatabase(
  admin: Sql,
  url: string,
  scale: number,
  sizes: FillSizes,
  passwordHash: string,
  refill: boolean,
): Promise<{ reused: boolean; timings: FillTiming[]; totalMs: number; sizeBytes: number }> {
  const marker = `otp bench:scale fill v2, scale ${scale}`;
  const [existing] = await admin<{ comment: string | null }[]>`
    SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = ${BIG}`;
  let timings: FillTiming[] = [];
  const started = performance.now();
  const reused = !refill && existing?.comment?.startsWith(marker) === true;
  if (reused) {
    log(`reusing ${BIG} (${existing?.comment}); --refill fills it again`);
    await migrate(url);
  } else {
    log(`filling ${BIG} at scale ${scale}`);
    await admin.unsafe(`DROP DATABASE IF EXISTS "${BIG}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${BIG}" TEMPLATE template0`);
    await migrate(url);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      timings = await fillBigDatabase(sql, sizes, passwordHash);
    } finally {
      await sql.end({ timeout: 5 });
    }
    const comment = `${marker}, filled ${new Date().toISOString()} in ${((performance.now() - started) / 1000).toFixed(0)} s`;
    await admin.unsafe(`COMMENT ON DATABASE "${BIG}" IS '${comment}'`);
  }
  const [size] = await admin<{ bytes: string }[]>`SELECT pg_database_size(${BIG})::text AS bytes`;
  return {
    reused,
    timings,
    totalMs: performance.now() - started,
    sizeBytes: Number(size?.bytes ?? 0),
  };
}

async function migrate(url: string): Promise<void> {
  // Pool of 2: migrate() holds one connection for its advisory lock and migrates on another.
  const handle = await createDatabase({ url, poolSize: 2 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
}

async function measure(
  label: "empty" | "big",
  url: string,
  passwordHash: string,
  burstSize: number,
  seconds: number,
): Promise<DatabaseResult> {
  log(`--- ${label} database`);
  const keys = deriveKeys(SECRET);
  const sql = postgres(url, { max: POOL_SIZE, onnotice: () => {} });
  onCleanup(() => sql.end({ timeout: 5 }));
  const rows = await estimatedRows(sql);
  // Accounts for the verify windows (with and without cleanup) and the burst's distinct ones.
  const cleanupSecondsGuess = label === "big" ? 10 + (150 * (rows.passcodes ?? 0)) / 1_000_000 : 0;
  const verifyCount = Math.ceil(2 * VERIFY_RATE_GUESS * (seconds + 2 + cleanupSecondsGuess));
  const prepared = performance.now();
  const verifyAccounts = new AccountPool(
    await insertAccounts(sql, keys.codeHmac, `run-verify`, verifyCount, passwordHash),
  );
  const burstAccounts = new AccountPool(
    await insertAccounts(sql, keys.codeHmac, `run-burst`, burstSize, passwordHash),
  );
  await settleFixtures(sql);
  log(
    `prepared ${verifyCount + burstSize} accounts in ${((performance.now() - prepared) / 1000).toFixed(1)} s`,
  );

  const api = await ApiProcess.start(apiEnvironment(url));
  running.api = api;
  const pool = new Pool(api.url, { connections: CONCURRENCY, pipelining: 1 });
  try {
    const warm = await post(
      pool,
      REST.register,
      { email: `warm-${label}@example.com`, password: PASSWORD },
      201,
    );
    if (warm !== "ok") throw new Error(`warm-up registration failed: ${JSON.stringify(warm)}`);
    await sleep(500);

    // Verify at c=32.
    const verifyOnce = () => {
      const account = verifyAccounts.take();
      if (account === undefined) return Promise.resolve("exhausted" as const);
      return post(pool, REST.verify, { email: account.email, otp: account.code }, 200);
    };
    const verifyLoop = new ClosedLoop(CONCURRENCY, verifyOnce).start();
    await sleep(2_000);
    const scansAtStart = await sequentialScans(sql);
    const walAtStart = await walPosition(sql);
    verifyLoop.beginWindow();
    await Promise.race([sleep(seconds * 1000), verifyLoop.exhausted]);
    const verify = verifyLoop.endWindow();
    const verifyWalBytes = (await walBytesSince(sql, walAtStart)) / Math.max(1, verify.completed);
    const verifySeqScans = await sequentialScansSince(sql, scansAtStart, verify.completed);
    await verifyLoop.stop();
    log(`verify c=32: ${verify.requestsPerSecond.toFixed(0)}/s, p99 ${verify.p99Ms.toFixed(1)} ms`);
    await waitForDrain(sql, 30_000);

    const burst = await resendBurst(sql, api, pool, burstAccounts);
    log(
      `burst of ${burst.resends} resends: ${burst.resendsPerSecond.toFixed(0)}/s; delivered ${burst.deliveredDuringPerSecond.toFixed(0)}/s during, ${burst.deliveredAfterPerSecond.toFixed(0)}/s after; peak backlog ${burst.peakPending}`,
    );

    const stats = { ...(await timed("stats", url)), queryMs: await timeStatsQueries(url) };
    log(
      `pnpm otp stats: ${stats.ms.toFixed(0)} ms (its statements ${stats.queryMs.toFixed(0)} ms)`,
    );

    let cleanup: DatabaseResult["cleanup"];
    if (label === "big") {
      const during = new ClosedLoop(CONCURRENCY, verifyOnce).start();
      await sleep(2_000);
      during.beginWindow();
      const run = timed("cleanup", url);
      const outcome = await Promise.race([run, during.exhausted.then(() => null)]);
      const verifyDuring = during.endWindow();
      await during.stop();
      const done = outcome ?? (await run);
      const coveredPercent = Math.min(100, (verifyDuring.durationMs / done.ms) * 100);
      cleanup = { ...done, verify: verifyDuring, coveredPercent };
      log(
        `cleanup: ${(done.ms / 1000).toFixed(1)} s; verify p99 during it ${verifyDuring.p99Ms.toFixed(1)} ms (window covered ${coveredPercent.toFixed(0)}%)`,
      );
    }
    return {
      label,
      rows,
      verify,
      verifyWalBytes,
      verifySeqScans,
      burst,
      stats,
      ...(cleanup === undefined ? {} : { cleanup }),
    };
  } finally {
    await pool.close();
    await api.stop();
    running.api = null;
    await sql.end({ timeout: 5 });
  }
}

/**
 * `burstSize` resends at c=32, each to an account not resent before, so every
 * email must be delivered (none is superseded by a later code). Samples the
 * backlog and the emails the API's transport took every SAMPLE_MS, through the
 * burst and until the backlog is gone.
 */
async function resendBurst(
  sql: Sql,
  api: ApiProcess,
  pool: Pool,
  accounts: AccountPool,
): Promise<BurstResult> {
  const backlog: BurstResult["backlog"] = [];
  const started = performance.now();
  const sentAtStart = (await api.sample()).mailsSent;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [pending, sample] = await Promise.all([pendingEmails(sql), api.sample()]);
      backlog.push({
        atSeconds: (performance.now() - started) / 1000,
        pending,
        sent: sample.mailsSent - sentAtStart,
      });
      await sleep(SAMPLE_MS);
    }
  })();
  const loop = new ClosedLoop(CONCURRENCY, () => {
    const account = accounts.take();
    if (account === undefined) return Promise.resolve("exhausted" as const);
    return post(pool, REST.resend, { email: account.email }, 200);
  }).start();
  loop.beginWindow();
  await loop.exhausted;
  await loop.stop(); // the requests still in flight are part of the burst
  const window = loop.endWindow();
  const burstEnded = performance.now();
  const sentAtBurstEnd = (await api.sample()).mailsSent - sentAtStart;
  const pendingAtBurstEnd = await pendingEmails(sql);
  await waitForDrain(sql, 120_000);
  const drained = performance.now();
  const sentAtEnd = (await api.sample()).mailsSent - sentAtStart;
  sampling = false;
  await sampler;
  const burstSeconds = (burstEnded - started) / 1000;
  const afterSeconds = (drained - burstEnded) / 1000;
  const secondHalf = backlog.filter(
    (point) => point.atSeconds >= burstSeconds / 2 && point.atSeconds <= burstSeconds,
  );
  return {
    resends: window.completed,
    errors: window.errors,
    resendsPerSecond: window.completed / burstSeconds,
    burstSeconds,
    deliveredDuringPerSecond: sentAtBurstEnd / burstSeconds,
    afterSeconds,
    deliveredAfterPerSecond: afterSeconds > 0.05 ? (sentAtEnd - sentAtBurstEnd) / afterSeconds : 0,
    pendingAtBurstEnd,
    peakPending: Math.max(0, ...backlog.map((point) => point.pending)),
    backlogSlopePerSecond: slope(secondHalf.map((point) => [point.atSeconds, point.pending])),
    backlog,
  };
}

/** The server's write-ahead log position (the whole server's: this run's API is all that writes). */
async function walPosition(sql: Sql): Promise<string> {
  const [row] = await sql<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`;
  return row?.lsn ?? "0/0";
}

async function walBytesSince(sql: Sql, since: string): Promise<number> {
  const [row] = await sql<{ bytes: string }[]>`
    SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${since}::pg_lsn)::bigint::text AS bytes`;
  return Number(row?.bytes ?? 0);
}

type ScanCounts = Map<string, { scans: number; rows: number }>;

/** Sequential scans of each table so far (pg_stat_user_tables), read afresh. */
async function sequentialScans(sql: Sql): Promise<ScanCounts> {
  await sql`SELECT pg_stat_clear_snapshot()`;
  const rows = await sql<{ name: string; scans: string; rows: string }[]>`
    SELECT relname AS name, seq_scan::text AS scans, seq_tup_read::text AS rows
    FROM pg_stat_user_tables`;
  return new Map(
    rows.map((row) => [row.name, { scans: Number(row.scans), rows: Number(row.rows) }]),
  );
}

/**
 * The tables read sequentially since `before`, per request: none is expected on the request
 * paths (every lookup has its index), so any here is a plan gone wrong. The statistics
 * collector reports with a delay of up to a second; this waits for it.
 */
async function sequentialScansSince(
  sql: Sql,
  before: ScanCounts,
  requests: number,
): Promise<{ table: string; scans: number; rows: number }[]> {
  await sleep(1_100);
  const after = await sequentialScans(sql);
  return [...after]
    .map(([table, now]) => {
      const then = before.get(table) ?? { scans: 0, rows: 0 };
      const per = Math.max(1, requests);
      return { table, scans: (now.scans - then.scans) / per, rows: (now.rows - then.rows) / per };
    })
    .filter((scan) => scan.scans > 0.001);
}

async function pendingEmails(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM email_outbox WHERE status = 'PENDING'`;
  return row?.n ?? 0;
}

async function waitForDrain(sql: Sql, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await pendingEmails(sql)) > 0) {
    if (performance.now() > deadline) {
      log(`  warning: the outbox did not drain within ${timeoutMs / 1000} s`);
      return;
    }
    await sleep(50);
  }
}

/** Rows per table from the planner's statistics (pg_class.reltuples), as `stats` would estimate. */
async function estimatedRows(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql<{ name: string; n: number }[]>`
    SELECT relname AS name, greatest(reltuples, 0)::bigint::int AS n FROM pg_class
    WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
      AND relname IN ('users', 'passcodes', 'email_outbox', 'sessions', 'send_limits', 'otp_attempts',
        'known_devices', 'security_events', 'account_failures', 'address_attempts')`;
  return Object.fromEntries(rows.map((row) => [row.name, row.n]));
}

/** `stats`'s statements alone (readStats, as the CLI runs them), on an open connection. */
async function timeStatsQueries(url: string): Promise<number> {
  const handle = await createDatabase({ url, poolSize: 1 });
  try {
    await readStats(handle.db, new Date()); // connects
    const started = performance.now();
    await readStats(handle.db, new Date());
    return performance.now() - started;
  } finally {
    await handle.close();
  }
}

/** `pnpm otp <command>` against `url`, as an operator runs it; wall time of the whole process. */
function timed(command: "stats" | "cleanup", url: string): Promise<{ ms: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("pnpm", ["--silent", "otp", command], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, output: output.trim() });
      else reject(new Error(`pnpm otp ${command} exited with ${code}: ${output.trim()}`));
    });
  });
}

function seqScans(scans: { table: string; scans: number; rows: number }[]): string {
  if (scans.length === 0) return "none";
  return scans
    .map((scan) => `${scan.table} ${scan.scans.toFixed(2)}, ${scan.rows.toFixed(0)}`)
    .join("; ");
}

function slope(points: [number, number][]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

// ---------------------------------------------------------------- report

function renderSection(input: {
  scale: number;
  sizes: FillSizes;
  fill: Awaited<ReturnType<typeof ensureBigDatabase>>;
  results: DatabaseResult[];
  seconds: number;
  burstSize: number;
  startedAt: Date;
  finishedAt: Date;
  loadAtStart: number[];
}): string {
  const empty = input.results.find((result) => result.label === "empty") as DatabaseResult;
  const big = input.results.find((result) => result.label === "big") as DatabaseResult;
  const f = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  const yes = (ok: boolean) => (ok ? "yes" : "**no**");
  const verifyRatio = ratio(big.verify.requestsPerSecond, empty.verify.requestsPerSecond);
  const resendRatio = ratio(big.burst.resendsPerSecond, empty.burst.resendsPerSecond);
  const deliveryRatio = ratio(
    big.burst.deliveredDuringPerSecond,
    empty.burst.deliveredDuringPerSecond,
  );
  const cleanupP99Ratio = ratio(big.cleanup?.verify.p99Ms ?? Number.NaN, big.verify.p99Ms);
  // "Keeps up": the backlog does not grow over the burst's second half (within 2% of the resend rate).
  const keepsUp = (burst: BurstResult) =>
    burst.backlogSlopePerSecond <= 0.02 * burst.resendsPerSecond;
  const elapsedMin = (input.finishedAt.getTime() - input.startedAt.getTime()) / 60_000;
  const fillLine = input.fill.reused
    ? `reused from an earlier fill (\`--refill\` fills again)`
    : `filled in ${f(input.fill.totalMs / 1000, 0)} s (${input.fill.timings.map((t) => `${t.table} ${f(t.ms / 1000, 1)} s`).join(", ")})`;
  const n = (value: number | undefined) => (value ?? 0).toLocaleString("en");
  // Padded as the formatter writes Markdown tables, so `pnpm lint` accepts the file as written.
  const table = (rows: string[][]) => {
    const widths = (rows[0] ?? []).map((_, column) =>
      Math.max(3, ...rows.map((row) => (row[column] ?? "").length)),
    );
    const line = (cells: string[]) =>
      `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
    const [head, ...body] = rows as [string[], ...string[][]];
    return [line(head), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join(
      "\n",
    );
  };

  const backlogLine = (burst: BurstResult) => {
    const step = Math.max(1, Math.ceil(burst.backlog.length / 16));
    return burst.backlog
      .filter((_, index) => index % step === 0)
      .map((point) => `${f(point.atSeconds, 1)}s:${point.pending}`)
      .join(" ");
  };
  return `## At scale (\`pnpm bench:scale\`)

Run ${input.startedAt.toISOString()} (${f(elapsedMin, 1)} min in all) with \`pnpm bench:scale --scale ${input.scale}\`, on
${os.cpus().length} cores, load average ${input.loadAtStart.map((x) => x.toFixed(2)).join(" / ")} at the start.
The big database (\`otp_scale_big\`, ${f(input.fill.sizeBytes / 2 ** 30, 2)} GiB) was ${fillLine}. Rows
(planner estimates): ${Object.entries(big.rows)
    .map(([name, value]) => `${name} ${n(value)}`)
    .join(
      ", ",
    )}. The empty database holds only the run's own accounts. Each phase at c=${CONCURRENCY}
through the REST routes; verify windows of ${input.seconds} s; a burst of ${n(input.burstSize)} resends to
as many distinct accounts, delivered by the API's dispatcher through the capture transport.
${input.scale < 1 ? `\n**A reduced run (scale ${input.scale}):** the figures say how the product behaves on a database ${f(1 / input.scale, 0)} times smaller than the issue's; the full run is \`pnpm bench:scale\`.\n` : ""}
${table([
  ["target", "goal", "measured", "met"],
  [
    "verify c=32, big vs empty",
    `>= ${TARGETS.ratio}x`,
    `${f(verifyRatio, 2)}x`,
    yes(verifyRatio >= TARGETS.ratio),
  ],
  [
    "resend c=32, big vs empty",
    `>= ${TARGETS.ratio}x`,
    `${f(resendRatio, 2)}x`,
    yes(resendRatio >= TARGETS.ratio),
  ],
  [
    "delivery during the burst, big vs empty",
    `>= ${TARGETS.ratio}x`,
    `${f(deliveryRatio, 2)}x`,
    yes(deliveryRatio >= TARGETS.ratio),
  ],
  [
    "delivery keeps up with resend c=32 (big)",
    "backlog not growing",
    `${f(big.burst.backlogSlopePerSecond, 1)} emails/s`,
    yes(keepsUp(big.burst)),
  ],
  [
    "verify p99 during cleanup vs without (big)",
    `<= ${TARGETS.cleanupP99Ratio}x`,
    `${f(cleanupP99Ratio, 2)}x`,
    yes(cleanupP99Ratio <= TARGETS.cleanupP99Ratio),
  ],
  [
    "`pnpm otp stats` on the big database",
    `< ${TARGETS.statsMs / 1000} s`,
    `${f(big.stats.ms / 1000, 2)} s`,
    yes(big.stats.ms < TARGETS.statsMs),
  ],
])}

${table([
  ["", "empty", "big", "big/empty"],
  [
    "verify c=32 req/s",
    f(empty.verify.requestsPerSecond),
    f(big.verify.requestsPerSecond),
    f(verifyRatio, 2),
  ],
  [
    "verify p50 / p99 ms",
    `${f(empty.verify.p50Ms, 1)} / ${f(empty.verify.p99Ms, 1)}`,
    `${f(big.verify.p50Ms, 1)} / ${f(big.verify.p99Ms, 1)}`,
    "",
  ],
  [
    "tables read sequentially during verify (scans, rows per verify)",
    seqScans(empty.verifySeqScans),
    seqScans(big.verifySeqScans),
    "",
  ],
  [
    "write-ahead log per verify, KB",
    f(empty.verifyWalBytes / 1000, 1),
    f(big.verifyWalBytes / 1000, 1),
    f(big.verifyWalBytes / Math.max(1, empty.verifyWalBytes), 2),
  ],
  [
    "resend c=32 req/s (the burst)",
    f(empty.burst.resendsPerSecond),
    f(big.burst.resendsPerSecond),
    f(resendRatio, 2),
  ],
  [
    "emails delivered/s during the burst",
    f(empty.burst.deliveredDuringPerSecond),
    f(big.burst.deliveredDuringPerSecond),
    f(deliveryRatio, 2),
  ],
  [
    "emails delivered/s after it (draining)",
    f(empty.burst.deliveredAfterPerSecond),
    f(big.burst.deliveredAfterPerSecond),
    "",
  ],
  [
    "backlog: peak / at burst end / slope (2nd half)",
    `${empty.burst.peakPending} / ${empty.burst.pendingAtBurstEnd} / ${f(empty.burst.backlogSlopePerSecond, 1)}/s`,
    `${big.burst.peakPending} / ${big.burst.pendingAtBurstEnd} / ${f(big.burst.backlogSlopePerSecond, 1)}/s`,
    "",
  ],
  [
    "burst s / drained after s",
    `${f(empty.burst.burstSeconds, 1)} / ${f(empty.burst.afterSeconds, 2)}`,
    `${f(big.burst.burstSeconds, 1)} / ${f(big.burst.afterSeconds, 2)}`,
    "",
  ],
  [
    "`pnpm otp stats` (whole process) s",
    f(empty.stats.ms / 1000, 2),
    f(big.stats.ms / 1000, 2),
    "",
  ],
  ["its statements alone ms", f(empty.stats.queryMs, 0), f(big.stats.queryMs, 0), ""],
])}

Backlog over the burst (seconds since its start: emails waiting), empty: ${backlogLine(empty.burst)};
big: ${backlogLine(big.burst)}.

Cleanup on the big database (\`pnpm otp cleanup\`, batches of 5,000, while verify ran at c=32):
**${f((big.cleanup?.ms ?? Number.NaN) / 1000, 1)} s**; verify during it ${f(big.cleanup?.verify.requestsPerSecond ?? Number.NaN)} req/s, p50 ${f(big.cleanup?.verify.p50Ms ?? Number.NaN, 1)} ms,
p99 ${f(big.cleanup?.verify.p99Ms ?? Number.NaN, 1)} ms (without: ${f(big.verify.p99Ms, 1)} ms); the verify window covered
${f(big.cleanup?.coveredPercent ?? Number.NaN)}% of the cleanup. It reported:

\`\`\`
${big.cleanup?.output ?? ""}
\`\`\`

\`pnpm otp stats\` on the big database (the time includes starting pnpm, the cached build check of the CLI, Node and the connection; its
statements alone took ${f(big.stats.queryMs, 0)} ms):

\`\`\`
${big.stats.output}
\`\`\`
`;
}

installLifecycle();
main().then(
  () => finish(0),
  (error: unknown) => finish(1, `failed: ${(error as Error).stack ?? error}`),
);
