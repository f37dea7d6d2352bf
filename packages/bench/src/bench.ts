/**
 * `pnpm --filter @otp/bench bench`: the API in production mode in its own
 * process, driven over loopback HTTP from this process, against the floor
 * (the least SQL each operation needs, through postgres.js, no HTTP), on a
 * fresh PostgreSQL database that is dropped at the end. Writes BENCHMARKS.md
 * at the repository root. See packages/bench/README.md.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { hash } from "@node-rs/argon2";
import { DEFAULT_ARGON2 } from "@otp/core";
import { deriveKeys } from "@otp/core/internal";
import postgres from "postgres";
import { Pool } from "undici";
import { ApiProcess, type StatementCounts } from "./api-process.js";
import { type Account, AccountPool, insertAccounts } from "./fixtures.js";
import { createFloor, FLOOR_SQL } from "./floor.js";
import {
  apiEnvironment,
  BENCH_LOG_LEVEL,
  createBenchDatabase,
  finish,
  installLifecycle,
  isLoopback,
  log,
  onCleanup,
  PASSWORD,
  POOL_SIZE,
  post,
  REST,
  running,
  SECRET,
  settleFixtures,
  TRPC,
} from "./harness.js";
import { ClosedLoop, median, type Operation, sleep, type WindowStats } from "./load.js";
import { setBenchDatabase, snapshot, type WindowCpu, windowCpu } from "./metrics.js";
import { formatSummary, type ProfileSummary, summariseProfile } from "./profile.js";
import { renderReport } from "./report.js";
import { keepSection } from "./sections.js";

// ---------------------------------------------------------------- settings

const env = process.env;
const number = (name: string, fallback: number) => {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number`);
  return parsed;
};
export const SETTINGS = {
  adminUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
  logLevel: BENCH_LOG_LEVEL,
  warmupSeconds: number("BENCH_WARMUP_SECONDS", 3),
  measureSeconds: number("BENCH_SECONDS", 5),
  repetitions: Math.round(number("BENCH_REPETITIONS", 3)),
  concurrencies: [1, 32] as const,
  interferenceRegisterConcurrency: 8,
  poolSize: POOL_SIZE,
  resendAccounts: 1_000,
  /** auto: profile the API only when a target is missed. */
  profile: (env.BENCH_PROFILE ?? "auto") as "auto" | "always" | "never",
  profileSeconds: number("BENCH_PROFILE_SECONDS", 6),
  /** A window where other processes kept more than this % of the machine busy is noisy... */
  noisyPercent: 20,
  /** ...and is measured again, at most this many extra times per phase... */
  extraRepetitions: 2,
  /** ...and at most this many times in the whole run, and not after this point (ms since start). */
  extraRepetitionsInRun: 16,
  retryDeadlineMs: 390_000,
  output: env.BENCH_OUTPUT ?? fileURLToPath(new URL("../../../BENCHMARKS.md", import.meta.url)),
  /** Expected requests/s, only to size the prepared verification accounts (x1.5 margin). */
  verifyRateGuess: {
    api1: number("BENCH_GUESS_API_VERIFY_C1", 700),
    api32: number("BENCH_GUESS_API_VERIFY_C32", 2_000),
    floor1: number("BENCH_GUESS_FLOOR_VERIFY_C1", 1_500),
    floor32: number("BENCH_GUESS_FLOOR_VERIFY_C32", 5_000),
  },
};
const PROFILE_DIR = fileURLToPath(new URL("../.profiles/", import.meta.url));

export type OperationName = "resend" | "verify" | "register";
/** The API through its REST routes (`api`) or its tRPC procedures (`trpc`), or the floor. */
export type Target = "api" | "trpc" | "floor";

export interface Repetition extends WindowStats, WindowCpu {
  rssMb: number;
  /** Emails waiting in the outbox at the end of the window (resend and register on the API). */
  pendingAtEnd: number;
  /** How fast that backlog grew during the window, emails/s (0 when delivery keeps up). */
  backlogGrowthPerSecond: number;
  /** Counted in the medians (false: a noisier extra window was dropped). */
  kept?: boolean;
}

export interface PhaseResult {
  operation: OperationName;
  target: Target;
  concurrency: number;
  repetitions: Repetition[];
  median: {
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    apiCpuMsPerRequest: number;
    apiProcCpuMsPerRequest: number;
    apiSystemMsPerRequest: number;
    postgresCpuMsPerRequest: number;
    driverCpuMsPerRequest: number;
    machineBusyPercent: number;
    otherBusyPercent: number;
    mailsPerSecond: number;
    backlogGrowthPerSecond: number;
    apiRunqueueWaitMsPerRequest: number;
    apiPreemptionsPerRequest: number;
    eventLoopDelayP99Ms: number;
  };
}

export interface StatementResult {
  operation: OperationName;
  target: Target;
  concurrency: number;
  requests: number;
  statementsPerRequest: number;
  byKind: { kind: string; perRequest: number }[];
}

// ---------------------------------------------------------------- helpers

let extraRepetitionsLeft = SETTINGS.extraRepetitionsInRun;

/** Median over the kept repetitions. */
const medianOf = (reps: Repetition[], key: keyof Repetition) =>
  median(reps.filter((rep) => rep.kept !== false).map((rep) => rep[key] as number));

function summarisePhase(
  operation: OperationName,
  target: Target,
  concurrency: number,
  repetitions: Repetition[],
): PhaseResult {
  return {
    operation,
    target,
    concurrency,
    repetitions,
    median: {
      requestsPerSecond: medianOf(repetitions, "requestsPerSecond"),
      p50Ms: medianOf(repetitions, "p50Ms"),
      p99Ms: medianOf(repetitions, "p99Ms"),
      apiCpuMsPerRequest: medianOf(repetitions, "apiCpuMsPerRequest"),
      apiProcCpuMsPerRequest: medianOf(repetitions, "apiProcCpuMsPerRequest"),
      apiSystemMsPerRequest: medianOf(repetitions, "apiSystemMsPerRequest"),
      postgresCpuMsPerRequest: medianOf(repetitions, "postgresCpuMsPerRequest"),
      driverCpuMsPerRequest: medianOf(repetitions, "driverCpuMsPerRequest"),
      machineBusyPercent: medianOf(repetitions, "machineBusyPercent"),
      otherBusyPercent: medianOf(repetitions, "otherBusyPercent"),
      mailsPerSecond: medianOf(repetitions, "mailsPerSecond"),
      backlogGrowthPerSecond: medianOf(repetitions, "backlogGrowthPerSecond"),
      apiRunqueueWaitMsPerRequest: medianOf(repetitions, "apiRunqueueWaitMsPerRequest"),
      apiPreemptionsPerRequest: medianOf(repetitions, "apiPreemptionsPerRequest"),
      eventLoopDelayP99Ms: medianOf(repetitions, "eventLoopDelayP99Ms"),
    },
  };
}

/**
 * One measured window on a running loop, with CPU accounting around it.
 * `pending` counts the outbox's undelivered emails (when the operation queues some).
 */
async function measureWindow(
  loop: ClosedLoop,
  withApi: boolean,
  pending?: () => Promise<number>,
): Promise<Repetition> {
  const pendingBefore = pending === undefined ? Number.NaN : await pending();
  const before = await snapshot(withApi ? running.api : null);
  loop.beginWindow();
  await Promise.race([sleep(SETTINGS.measureSeconds * 1000), loop.exhausted]);
  const stats = loop.endWindow();
  const after = await snapshot(withApi ? running.api : null);
  const pendingAfter = pending === undefined ? Number.NaN : await pending();
  if (stats.exhausted) log("  warning: prepared inputs ran out; this window was cut short");
  if (stats.errors > 0) log(`  ${stats.errors} errors, e.g. ${stats.firstErrors[0]}`);
  return {
    ...stats,
    ...windowCpu(before, after, stats.completed),
    rssMb: (after.server?.rssBytes ?? Number.NaN) / 2 ** 20,
    pendingAtEnd: pendingAfter,
    backlogGrowthPerSecond: ((pendingAfter - pendingBefore) * 1000) / stats.durationMs,
  };
}

function describeRep(rep: Repetition): string {
  const cpu = Number.isFinite(rep.apiCpuMsPerRequest)
    ? ` api-cpu ${rep.apiCpuMsPerRequest.toFixed(3)} ms/req (sys ${rep.apiSystemMsPerRequest.toFixed(3)}, /proc ${rep.apiProcCpuMsPerRequest.toFixed(3)})`
    : ` client-cpu ${rep.driverCpuMsPerRequest.toFixed(3)} ms/req`;
  const mail = Number.isFinite(rep.pendingAtEnd)
    ? ` mails ${rep.mailsPerSecond.toFixed(0)}/s backlog ${rep.pendingAtEnd} (+${rep.backlogGrowthPerSecond.toFixed(0)}/s)`
    : "";
  const sched = Number.isFinite(rep.apiRunqueueWaitMsPerRequest)
    ? ` runq-wait ${rep.apiRunqueueWaitMsPerRequest.toFixed(3)} ms/req`
    : "";
  return `${rep.requestsPerSecond.toFixed(0)} req/s p50 ${rep.p50Ms.toFixed(2)} ms p99 ${rep.p99Ms.toFixed(2)} ms${cpu} pg-cpu ${rep.postgresCpuMsPerRequest.toFixed(3)} ms/req busy ${rep.machineBusyPercent.toFixed(0)}% (other ${rep.otherBusyPercent.toFixed(0)}%)${sched}${mail}`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const startedAt = new Date();
  if (!isLoopback(SETTINGS.adminUrl)) {
    throw new Error("DATABASE_URL must point at a PostgreSQL server on loopback (127.0.0.1)");
  }
  const keys = deriveKeys(SECRET);

  // Machine facts and argon2id cost, before any load.
  const admin = postgres(SETTINGS.adminUrl, { max: 1, onnotice: () => {} });
  onCleanup(() => admin.end({ timeout: 5 }));
  const [pgInfo] = await admin<{ version: string; settings: string }[]>`
    SELECT current_setting('server_version') AS version,
      (SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)
       FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'max_connections',
         'fsync', 'shared_preload_libraries')) AS settings`;
  const statStatementsLoaded = (pgInfo?.settings ?? "").includes("pg_stat_statements");

  const loadAtStart = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  const quiet = await machineBusyOver(2_000);
  if (quiet > 20)
    log(`warning: the machine is already ${quiet.toFixed(0)}% busy; figures will be noisy`);
  log("timing argon2id (19 MiB, t=2, p=1)");
  const argon2 = await timeArgon2();
  const passwordHash = await hash(PASSWORD, DEFAULT_ARGON2);

  log("creating a fresh database");
  const { url: databaseUrl, name: databaseName } = await createBenchDatabase(
    admin,
    SETTINGS.adminUrl,
  );
  setBenchDatabase(databaseName);
  const prep = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  onCleanup(() => prep.end({ timeout: 5 }));
  const floorSql = postgres(databaseUrl, { max: SETTINGS.poolSize, onnotice: () => {} });
  onCleanup(() => floorSql.end({ timeout: 5 }));
  const floor = createFloor(floorSql, keys.codeHmac, passwordHash);

  const apiEnv = apiEnvironment(databaseUrl);
  log("starting the API (production mode, its own process)");
  let server = await ApiProcess.start(apiEnv);
  running.api = server;
  onCleanup(() => running.api?.stop() ?? Promise.resolve());
  log(`API at ${server.url} (pid ${server.pid})`);

  // ------------------------------------------------------------ fixtures
  const total =
    SETTINGS.warmupSeconds +
    (SETTINGS.repetitions + SETTINGS.extraRepetitions) * SETTINGS.measureSeconds;
  const sized = (rate: number) => Math.ceil(rate * total * 1.3) + 500;
  const guess = SETTINGS.verifyRateGuess;
  log("preparing accounts and codes");
  const prepStarted = performance.now();
  const resendApi = await insertAccounts(
    prep,
    keys.codeHmac,
    "resend-api",
    SETTINGS.resendAccounts,
    passwordHash,
  );
  const resendFloor = await insertAccounts(
    prep,
    keys.codeHmac,
    "resend-floor",
    SETTINGS.resendAccounts,
    passwordHash,
  );
  const verifyPools = {
    api1: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-api-1",
      sized(guess.api1),
      passwordHash,
    ),
    api32: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-api-32",
      sized(guess.api32),
      passwordHash,
    ),
    trpc32: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-trpc-32",
      sized(guess.api32),
      passwordHash,
    ),
    floor1: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-floor-1",
      sized(guess.floor1),
      passwordHash,
    ),
    floor32: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-floor-32",
      sized(guess.floor32),
      passwordHash,
    ),
    interference: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-mixed",
      Math.ceil(guess.api32 * (2 + SETTINGS.repetitions * (2 * SETTINGS.measureSeconds + 2)) * 1.5),
      passwordHash,
    ),
    countApi: await insertAccounts(prep, keys.codeHmac, "verify-count-api", 3_000, passwordHash),
    countFloor: await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-count-floor",
      3_000,
      passwordHash,
    ),
  };
  await settleFixtures(prep);
  const prepared = Object.values(verifyPools).reduce((sum, list) => sum + list.length, 0);
  log(
    `prepared ${prepared + 2 * SETTINGS.resendAccounts} accounts in ${((performance.now() - prepStarted) / 1000).toFixed(1)} s`,
  );

  // ------------------------------------------------------------ operations
  let registered = 0;
  const runTag = Date.now().toString(36);
  const apiOperation = (
    name: OperationName,
    pool: Pool,
    accounts?: AccountPool,
    surface: "api" | "trpc" = "api",
  ): Operation => {
    let next = 0;
    if (name === "verify") {
      return async () => {
        const account = accounts?.take();
        if (account === undefined) return "exhausted";
        return surface === "trpc"
          ? post(pool, TRPC.verify, { email: account.email, code: account.code }, 200)
          : post(pool, REST.verify, { email: account.email, otp: account.code }, 200);
      };
    }
    if (name === "resend") {
      return () => {
        const account = resendApi[next++ % resendApi.length] as Account;
        return post(
          pool,
          surface === "trpc" ? TRPC.resend : REST.resend,
          { email: account.email },
          200,
        );
      };
    }
    return () =>
      post(
        pool,
        REST.register,
        { email: `register-${runTag}-${registered++}@example.com`, password: PASSWORD },
        201,
      );
  };
  const floorOperation = (name: OperationName, accounts?: AccountPool): Operation => {
    let next = 0;
    if (name === "verify") {
      return async () => {
        const account = accounts?.take();
        if (account === undefined) return "exhausted";
        return (await floor.verify(account)) ? "ok" : { error: "the code was not consumed" };
      };
    }
    if (name === "resend") {
      return async () => {
        await floor.resend((resendFloor[next++ % resendFloor.length] as Account).userId);
        return "ok";
      };
    }
    return async () => {
      await floor.register(`floor-${runTag}-${registered++}@example.com`);
      return "ok";
    };
  };

  /** Emails queued and not yet delivered or given up (the partial index answers it). */
  const pendingEmails = async () => {
    const [row] = await prep<{ n: number }[]>`
      SELECT count(*)::int AS n FROM email_outbox WHERE status = 'PENDING'`;
    return row?.n ?? 0;
  };
  /** Waits until the outbox has nothing left to deliver (between phases). */
  const waitForDelivery = async () => {
    const started = performance.now();
    while (performance.now() - started < 60_000) {
      if ((await pendingEmails()) === 0) {
        const waited = performance.now() - started;
        if (waited > 1_000) log(`  the outbox took ${(waited / 1000).toFixed(1)} s to drain`);
        return;
      }
      await sleep(50);
    }
    log("  warning: the outbox still had pending emails after 60 s");
  };

  // Production steady state before any clock: the first email of a kind compiles its template
  // with one full React render (which also leaves React's AsyncLocalStorage switched on).
  const prime = async (url: string) => {
    const primer = new Pool(url, { connections: 1 });
    await apiOperation("register", primer)();
    await apiOperation("resend", primer)();
    await primer.close();
    await waitForDelivery();
  };
  await prime(server.url);

  // ------------------------------------------------------------ throughput and latency
  const phases: PhaseResult[] = [];
  const runPhase = async (
    operation: OperationName,
    target: Target,
    concurrency: number,
    accounts?: Account[],
  ): Promise<PhaseResult> => {
    log(`${operation} ${target} c=${concurrency}`);
    const pool = new Pool(server.url, { connections: concurrency, pipelining: 1 });
    const source = accounts === undefined ? undefined : new AccountPool(accounts);
    const loop = new ClosedLoop(
      concurrency,
      target === "floor"
        ? floorOperation(operation, source)
        : apiOperation(operation, pool, source, target),
    ).start();
    await Promise.race([sleep(SETTINGS.warmupSeconds * 1000), loop.exhausted]);
    const all: Repetition[] = [];
    const noisy = (rep: Repetition) => rep.otherBusyPercent > SETTINGS.noisyPercent;
    while (!loop.isExhausted) {
      const enough = all.length >= SETTINGS.repetitions;
      const extras = all.length - SETTINGS.repetitions;
      const cleanEnough = all.filter((rep) => !noisy(rep)).length >= SETTINGS.repetitions;
      const mayRetry =
        extras < SETTINGS.extraRepetitions &&
        extraRepetitionsLeft > 0 &&
        performance.now() < SETTINGS.retryDeadlineMs;
      if (enough && (cleanEnough || !mayRetry)) break;
      if (enough) extraRepetitionsLeft--;
      const rep = await measureWindow(
        loop,
        target !== "floor",
        target !== "floor" && operation !== "verify" ? pendingEmails : undefined,
      );
      log(
        `  rep ${all.length + 1}: ${describeRep(rep)}${enough ? " (extra: earlier ones were noisy)" : ""}`,
      );
      all.push(rep);
    }
    // The least disturbed windows, in the order they ran.
    const kept = new Set(
      [...all]
        .sort((a, b) => a.otherBusyPercent - b.otherBusyPercent)
        .slice(0, SETTINGS.repetitions),
    );
    for (const rep of all) rep.kept = kept.has(rep);
    await loop.stop();
    await pool.close();
    if (source !== undefined) log(`  used ${source.used} of ${source.size} prepared accounts`);
    await waitForDelivery();
    const result = summarisePhase(operation, target, concurrency, all);
    phases.push(result);
    return result;
  };

  for (const operation of ["verify", "resend", "register"] as const) {
    for (const concurrency of SETTINGS.concurrencies) {
      const key = concurrency === 1 ? "1" : "32";
      await runPhase(
        operation,
        "api",
        concurrency,
        operation === "verify" ? verifyPools[`api${key}`] : undefined,
      );
      await runPhase(
        operation,
        "floor",
        concurrency,
        operation === "verify" ? verifyPools[`floor${key}`] : undefined,
      );
      // The same operation through its tRPC procedure (what the web app calls), at c=32.
      if (concurrency !== 1 && operation !== "register") {
        await runPhase(
          operation,
          "trpc",
          concurrency,
          operation === "verify" ? verifyPools.trpc32 : undefined,
        );
      }
    }
  }

  // ------------------------------------------------------------ verify while registering
  log(
    `verify c=32 alone vs with registrations at c=${SETTINGS.interferenceRegisterConcurrency} (alternating)`,
  );
  const interference = await (async () => {
    const verifyPool = new Pool(server.url, { connections: 32, pipelining: 1 });
    const source = new AccountPool(verifyPools.interference);
    const loop = new ClosedLoop(32, apiOperation("verify", verifyPool, source)).start();
    await sleep(2_000);
    const alone: Repetition[] = [];
    const mixed: (Repetition & { registrationsPerSecond: number })[] = [];
    for (let r = 0; r < SETTINGS.repetitions && !loop.isExhausted; r++) {
      const a = await measureWindow(loop, true);
      log(`  alone    rep ${r + 1}: ${describeRep(a)}`);
      alone.push(a);
      const registerPool = new Pool(server.url, {
        connections: SETTINGS.interferenceRegisterConcurrency,
        pipelining: 1,
      });
      const registering = new ClosedLoop(
        SETTINGS.interferenceRegisterConcurrency,
        apiOperation("register", registerPool),
      ).start();
      await sleep(1_000);
      const registeredBefore = registering.completed;
      const m = await measureWindow(loop, true);
      const registrationsPerSecond =
        ((registering.completed - registeredBefore) * 1000) / (m.durationMs + 1);
      await registering.stop();
      await registerPool.close();
      if (registering.errors > 0) log(`  register errors: ${registering.firstErrors[0]}`);
      log(
        `  +register rep ${r + 1}: ${describeRep(m)} (${registrationsPerSecond.toFixed(0)} registrations/s)`,
      );
      mixed.push({ ...m, registrationsPerSecond });
    }
    await loop.stop();
    await verifyPool.close();
    await waitForDelivery();
    return {
      alone: summarisePhase("verify", "api", 32, alone),
      mixed: summarisePhase("verify", "api", 32, mixed),
      registrationsPerSecond: median(mixed.map((rep) => rep.registrationsPerSecond)),
      eventLoopDelayMaxMs: median(mixed.map((rep) => rep.eventLoopDelayMaxMs)),
    };
  })();

  // ------------------------------------------------------------ SQL statements per operation
  log("counting SQL statements per operation");
  const floorClient = floorSql as unknown as { options: { debug?: unknown } };
  const statements: StatementResult[] = [];
  const countApiAccounts = new AccountPool(verifyPools.countApi);
  const countFloorAccounts = new AccountPool(verifyPools.countFloor);
  for (const operation of ["verify", "resend", "register"] as const) {
    for (const concurrency of SETTINGS.concurrencies) {
      const requests =
        operation === "register" ? (concurrency === 1 ? 20 : 100) : concurrency === 1 ? 200 : 1_000;
      for (const target of ["api", "floor"] as const) {
        let counts: StatementCounts;
        let floorCounts = new Map<string, number>();
        if (target === "api") await server.count(true);
        else {
          floorClient.options.debug = (_connection: number, query: string) => {
            const kind = query.replace(/\s+/g, " ").trim().slice(0, 48);
            floorCounts.set(kind, (floorCounts.get(kind) ?? 0) + 1);
          };
        }
        const pool = new Pool(server.url, { connections: concurrency, pipelining: 1 });
        const accounts = target === "api" ? countApiAccounts : countFloorAccounts;
        const inner =
          target === "api"
            ? apiOperation(operation, pool, accounts)
            : floorOperation(operation, accounts);
        let issued = 0;
        const loop = new ClosedLoop(concurrency, async () =>
          issued++ < requests ? inner() : "exhausted",
        ).start();
        await loop.exhausted;
        await loop.stop();
        await pool.close();
        await waitForDelivery();
        if (target === "api") counts = await server.count(false);
        else {
          floorClient.options.debug = false;
          counts = {
            statements: [...floorCounts.values()].reduce((a, b) => a + b, 0),
            byKind: Object.fromEntries(floorCounts),
          };
          floorCounts = new Map();
        }
        if (loop.errors > 0) log(`  ${loop.errors} errors while counting: ${loop.firstErrors[0]}`);
        const done = loop.completed;
        statements.push({
          operation,
          target,
          concurrency,
          requests: done,
          statementsPerRequest: counts.statements / done,
          byKind: Object.entries(counts.byKind)
            .map(([kind, n]) => ({ kind, perRequest: n / done }))
            .sort((a, b) => b.perRequest - a.perRequest),
        });
        log(
          `  ${operation} ${target} c=${concurrency}: ${(counts.statements / done).toFixed(2)} statements per request`,
        );
      }
    }
  }

  const finalSample = await server.sample();
  const rssAfterRunMb = finalSample.rssBytes / 2 ** 20;
  log(`API resident memory after the run: ${rssAfterRunMb.toFixed(0)} MiB`);
  await server.stop();
  running.api = null;

  // ------------------------------------------------------------ targets and profile
  const find = (operation: OperationName, target: Target, concurrency: number) =>
    phases.find(
      (p) => p.operation === operation && p.target === target && p.concurrency === concurrency,
    ) as PhaseResult;
  const verifyRatio =
    find("verify", "api", 32).median.requestsPerSecond /
    find("verify", "floor", 32).median.requestsPerSecond;
  const resendRatio =
    find("resend", "api", 32).median.requestsPerSecond /
    find("resend", "floor", 32).median.requestsPerSecond;
  const verifyCpu = find("verify", "api", 32).median.apiCpuMsPerRequest;
  const mixedRatio = interference.mixed.median.p99Ms / interference.alone.median.p99Ms;
  const resendApi32 = find("resend", "api", 32).median;
  const deliveredShare = resendApi32.mailsPerSecond / resendApi32.requestsPerSecond;
  const targets = [
    {
      name: "verify c=32 throughput vs floor",
      goal: ">= 0.6x",
      value: verifyRatio,
      met: verifyRatio >= 0.6,
      unit: "x",
    },
    {
      name: "verify c=32 API CPU per request",
      goal: "<= 0.35 ms",
      value: verifyCpu,
      met: verifyCpu <= 0.35,
      unit: " ms",
    },
    {
      name: "resend c=32 throughput vs floor (with outbox + delivery)",
      goal: ">= 0.5x",
      value: resendRatio,
      met: resendRatio >= 0.5,
      unit: "x",
    },
    {
      name: "resend c=32: emails delivered per request (delivery keeps up)",
      goal: ">= 0.95",
      value: deliveredShare,
      met: deliveredShare >= 0.95,
      unit: "",
    },
    {
      name: "verify c=32 p99 with registrations (c=8) vs without",
      goal: "< 2x",
      value: mixedRatio,
      met: mixedRatio < 2,
      unit: "x",
    },
  ];

  const profiles: { title: string; summary: ProfileSummary; file: string }[] = [];
  const profileOps: OperationName[] = [];
  if (SETTINGS.profile === "always" || !targets[0]?.met || !targets[1]?.met)
    profileOps.push("verify");
  if (SETTINGS.profile === "always" || !targets[2]?.met || !targets[3]?.met)
    profileOps.push("resend");
  if (SETTINGS.profile !== "never" && profileOps.length > 0) {
    log(`profiling the API (node --cpu-prof) under ${profileOps.join(", ")} at c=32`);
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
    // From its sources, so the profile's frames name each package's files.
    server = await ApiProcess.start(
      apiEnv,
      ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, "--cpu-prof-interval=500"],
      { source: true },
    );
    running.api = server;
    await prime(server.url);
    const profilePool = await insertAccounts(
      prep,
      keys.codeHmac,
      "verify-profile",
      Math.ceil(guess.api32 * (SETTINGS.profileSeconds + 2) * 1.5),
      passwordHash,
    );
    const windows: { operation: OperationName; fromUs: number; toUs: number; requests: number }[] =
      [];
    for (const operation of profileOps) {
      const pool = new Pool(server.url, { connections: 32, pipelining: 1 });
      const loop = new ClosedLoop(
        32,
        apiOperation(operation, pool, new AccountPool(profilePool)),
      ).start();
      await sleep(2_000);
      const before = await server.sample();
      const completedBefore = loop.completed;
      await Promise.race([sleep(SETTINGS.profileSeconds * 1000), loop.exhausted]);
      const after = await server.sample();
      windows.push({
        operation,
        fromUs: before.atMs * 1000,
        toUs: after.atMs * 1000,
        requests: loop.completed - completedBefore,
      });
      await loop.stop();
      await pool.close();
      await waitForDelivery();
    }
    await server.stop();
    running.api = null;
    // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread (the event
    // loop); tsx's module loader runs on a thread of its own.
    const file = readdirSync(PROFILE_DIR).find((name) =>
      /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name),
    );
    if (file === undefined) log("  no profile was written");
    else {
      for (const window of windows) {
        const summary = summariseProfile(join(PROFILE_DIR, file), window);
        profiles.push({
          title: `${window.operation} at c=32, ${SETTINGS.profileSeconds} s, ${window.requests} requests (${((summary.busyMs / Math.max(1, window.requests)) * 1000).toFixed(0)} µs sampled CPU per request)`,
          summary,
          file: join("packages/bench/.profiles", file),
        });
        console.log(formatSummary(summary, window.operation));
      }
    }
  }

  // ------------------------------------------------------------ report
  const report = renderReport({
    startedAt,
    finishedAt: new Date(),
    command: "pnpm --filter @otp/bench bench",
    machine: {
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: os.totalmem() / 2 ** 30,
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      postgres: pgInfo?.version ?? "unknown",
      postgresSettings: pgInfo?.settings ?? "",
      idleBusyPercent: quiet,
      loadAverage: loadAtStart,
    },
    settings: SETTINGS,
    statStatementsLoaded,
    argon2,
    phases,
    interference,
    statements,
    floorSql: FLOOR_SQL,
    rssAfterRunMb,
    targets,
    profiles,
    previous: readPrevious(SETTINGS.output),
  });
  // bench:scale's section (src/scale.ts) is its own: carried over as it was.
  writeFileSync(
    SETTINGS.output,
    keepSection(readExisting(SETTINGS.output), report.markdown, "scale"),
  );
  console.log(report.console);
  log(`wrote ${SETTINGS.output}`);
}

function readExisting(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The hand-written analysis kept between runs (between the notes markers). */
function readPrevious(path: string): string | null {
  try {
    const text = readFileSync(path, "utf8");
    const match = text.match(/<!-- notes:start -->\n([\s\S]*?)<!-- notes:end -->/);
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Share of the machine's CPU that was busy over `ms` (before any load of ours). */
async function machineBusyOver(ms: number): Promise<number> {
  const before = await snapshot(null);
  await sleep(ms);
  const after = await snapshot(null);
  return windowCpu(before, after, 1).machineBusyPercent;
}

async function timeArgon2() {
  await hash(PASSWORD, DEFAULT_ARGON2); // warm
  const single: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await hash(`${PASSWORD}${i}`, DEFAULT_ARGON2);
    single.push(performance.now() - started);
  }
  const parallel = 16;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, (_, i) => hash(`${PASSWORD}-${i}`, DEFAULT_ARGON2)),
  );
  const elapsed = performance.now() - started;
  return {
    singleMs: median(single),
    hashesPerSecond: (parallel * 1000) / elapsed,
    threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
  };
}

export type Argon2Timing = Awaited<ReturnType<typeof timeArgon2>>;

installLifecycle();
main().then(
  () => finish(0),
  (error: unknown) => finish(1, `failed: ${(error as Error).stack ?? error}`),
);
