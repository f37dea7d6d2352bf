/** BENCHMARKS.md and the console summary, from one run's results. */
import type {
  Argon2Timing,
  OperationName,
  PhaseResult,
  SETTINGS,
  StatementResult,
  Target,
} from "./bench.js";
import { formatSummary, type ProfileSummary } from "./profile.js";

export interface ReportInput {
  startedAt: Date;
  finishedAt: Date;
  command: string;
  machine: {
    cores: number;
    cpuModel: string;
    memoryGiB: number;
    os: string;
    node: string;
    postgres: string;
    postgresSettings: string;
    /** /proc/stat busy share over 2 s before the run started. */
    idleBusyPercent: number;
    loadAverage: string;
  };
  settings: typeof SETTINGS;
  statStatementsLoaded: boolean;
  argon2: Argon2Timing;
  phases: PhaseResult[];
  interference: {
    alone: PhaseResult;
    mixed: PhaseResult;
    registrationsPerSecond: number;
    eventLoopDelayMaxMs: number;
  };
  statements: StatementResult[];
  floorSql: Record<OperationName, string[]>;
  rssAfterRunMb: number;
  targets: { name: string; goal: string; value: number; met: boolean; unit: string }[];
  profiles: { title: string; summary: ProfileSummary; file: string }[];
  previous: string | null;
}

const OPERATIONS: OperationName[] = ["verify", "resend", "register"];
const f = (value: number, digits = 2) => {
  if (!Number.isFinite(value)) return "n/a";
  const text = value.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text; // no "-0"
};
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : "n/a");

function table(header: string[], rows: string[][], align?: string[]): string {
  const separator = align ?? header.map((_, i) => (i < 2 ? "---" : "---:"));
  return [
    `| ${header.join(" | ")} |`,
    `|${separator.join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

export function renderReport(input: ReportInput): { markdown: string; console: string } {
  const { settings, machine } = input;
  const phase = (operation: OperationName, target: Target, concurrency: number) =>
    input.phases.find(
      (p) => p.operation === operation && p.target === target && p.concurrency === concurrency,
    );
  const statement = (operation: OperationName, target: Target, concurrency: number) =>
    input.statements.find(
      (s) => s.operation === operation && s.target === target && s.concurrency === concurrency,
    );

  const throughputRows: string[][] = [];
  const cpuRows: string[][] = [];
  const statementRows: string[][] = [];
  for (const operation of OPERATIONS) {
    for (const [concurrency, surface] of settings.concurrencies.flatMap((c) =>
      (["api", "trpc"] as const).map((t) => [c, t] as const),
    )) {
      const a = phase(operation, surface, concurrency)?.median;
      const fl = phase(operation, "floor", concurrency)?.median;
      if (a === undefined || fl === undefined) continue;
      const label = surface === "trpc" ? `${operation} (tRPC)` : operation;
      throughputRows.push([
        label,
        String(concurrency),
        f(a.requestsPerSecond, 0),
        f(fl.requestsPerSecond, 0),
        ratio(a.requestsPerSecond, fl.requestsPerSecond),
        f(a.p50Ms),
        f(fl.p50Ms),
        ratio(a.p50Ms, fl.p50Ms),
        f(a.p99Ms),
        f(fl.p99Ms),
        ratio(a.p99Ms, fl.p99Ms),
      ]);
      cpuRows.push([
        label,
        String(concurrency),
        f(a.apiCpuMsPerRequest, 3),
        f(a.apiProcCpuMsPerRequest, 3),
        f(a.apiSystemMsPerRequest, 3),
        f(a.postgresCpuMsPerRequest, 3),
        f(fl.postgresCpuMsPerRequest, 3),
        ratio(a.postgresCpuMsPerRequest, fl.postgresCpuMsPerRequest),
        f(fl.driverCpuMsPerRequest, 3),
        `${f(a.machineBusyPercent, 0)}% / ${f(fl.machineBusyPercent, 0)}%`,
        `${f(a.otherBusyPercent, 0)}% / ${f(fl.otherBusyPercent, 0)}%`,
        operation === "verify" ? "-" : f(a.mailsPerSecond, 0),
        operation === "verify" ? "-" : f(a.backlogGrowthPerSecond, 0),
        f(a.apiRunqueueWaitMsPerRequest, 3),
        f(a.eventLoopDelayP99Ms, 1),
      ]);
      const sa = statement(operation, "api", concurrency);
      const sf = statement(operation, "floor", concurrency);
      if (surface === "api" && sa !== undefined && sf !== undefined) {
        statementRows.push([
          operation,
          String(concurrency),
          f(sa.statementsPerRequest),
          f(sf.statementsPerRequest),
          ratio(sa.statementsPerRequest, sf.statementsPerRequest),
        ]);
      }
    }
  }

  const throughputTable = table(
    [
      "operation",
      "c",
      "API req/s",
      "floor req/s",
      "API/floor",
      "API p50 ms",
      "floor p50 ms",
      "ratio",
      "API p99 ms",
      "floor p99 ms",
      "ratio",
    ],
    throughputRows,
  );
  const cpuTable = table(
    [
      "operation",
      "c",
      "API process CPU ms/req",
      "the same from /proc",
      "of which kernel",
      "PostgreSQL CPU ms/req (API)",
      "PostgreSQL CPU ms/req (floor)",
      "ratio",
      "floor client CPU ms/req",
      "machine busy API / floor",
      "of which other processes",
      "emails delivered/s",
      "outbox backlog growth/s",
      "API main thread waiting for a CPU, ms/req",
      "API event-loop delay p99 ms",
    ],
    cpuRows,
  );
  const statementTable = table(
    ["operation", "c", "API statements/req", "floor statements/req", "ratio"],
    statementRows,
  );
  const targetTable = table(
    ["target", "goal", "measured (median)", "met"],
    input.targets.map((t) => [
      t.name,
      t.goal,
      `${f(t.value, t.unit === " ms" ? 3 : 2)}${t.unit}`,
      t.met ? "yes" : "**no**",
    ]),
    ["---", "---", "---:", "---"],
  );

  const alone = input.interference.alone.median;
  const mixed = input.interference.mixed.median;
  const interferenceTable = table(
    [
      "verify c=32",
      "req/s",
      "p50 ms",
      "p99 ms",
      "API CPU ms/req",
      "event-loop delay p99 ms",
      "machine busy",
    ],
    [
      [
        "alone",
        f(alone.requestsPerSecond, 0),
        f(alone.p50Ms),
        f(alone.p99Ms),
        f(alone.apiCpuMsPerRequest, 3),
        f(alone.eventLoopDelayP99Ms, 1),
        `${f(alone.machineBusyPercent, 0)}%`,
      ],
      [
        `with registrations at c=${settings.interferenceRegisterConcurrency} (${f(input.interference.registrationsPerSecond, 0)}/s; CPU column includes their argon2id)`,
        f(mixed.requestsPerSecond, 0),
        f(mixed.p50Ms),
        f(mixed.p99Ms),
        f(mixed.apiCpuMsPerRequest, 3),
        f(mixed.eventLoopDelayP99Ms, 1),
        `${f(mixed.machineBusyPercent, 0)}%`,
      ],
      [
        "ratio",
        ratio(mixed.requestsPerSecond, alone.requestsPerSecond),
        ratio(mixed.p50Ms, alone.p50Ms),
        ratio(mixed.p99Ms, alone.p99Ms),
        "",
        "",
        "",
      ],
    ],
  );

  const breakdown = OPERATIONS.map((operation) => {
    const parts = settings.concurrencies.map((concurrency) => {
      const s = statement(operation, "api", concurrency);
      if (s === undefined) return "";
      return [
        `${operation}, API, c=${concurrency} (${s.requests} requests):`,
        "",
        table(
          ["statement (first 48 characters)", "per request"],
          s.byKind.map((k) => [`\`${k.kind.replace(/\|/g, "\\|")}\``, f(k.perRequest)]),
          ["---", "---:"],
        ),
        "",
      ].join("\n");
    });
    return parts.join("\n");
  }).join("\n");

  const floorSql = OPERATIONS.map(
    (operation) =>
      `- **${operation}**: ${input.floorSql[operation].map((s) => `\`${s}\``).join("; ")}`,
  ).join("\n");

  const repRows: string[][] = [];
  const allPhases = [
    ...input.phases,
    { ...input.interference.alone, label: "verify alone (interference block)" },
    { ...input.interference.mixed, label: "verify + registrations" },
  ];
  for (const p of allPhases) {
    p.repetitions.forEach((rep, i) => {
      repRows.push([
        "label" in p ? (p.label as string) : `${p.operation} ${p.target}`,
        String(p.concurrency),
        String(i + 1),
        f(rep.durationMs / 1000, 1),
        String(rep.completed),
        String(rep.errors),
        f(rep.requestsPerSecond, 0),
        f(rep.p50Ms),
        f(rep.p99Ms),
        f(rep.maxMs, 1),
        f(p.target !== "floor" ? rep.apiCpuMsPerRequest : rep.driverCpuMsPerRequest, 3),
        f(rep.postgresCpuMsPerRequest, 3),
        `${f(rep.machineBusyPercent, 0)}%`,
        `${f(rep.otherBusyPercent, 0)}%`,
        rep.kept === false ? "dropped (noisier)" : "",
      ]);
    });
  }
  const repHeader = [
    "phase",
    "c",
    "rep",
    "s",
    "requests",
    "errors",
    "req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "CPU ms/req (API, or floor client)",
    "PG CPU ms/req",
    "busy",
    "other",
    "",
  ];
  // The phase and the note left-aligned, every figure right-aligned.
  const repTable = table(
    repHeader,
    repRows,
    repHeader.map((_, i) => (i === 0 || i === repHeader.length - 1 ? "---" : "---:")),
  );

  const minutes = (input.finishedAt.getTime() - input.startedAt.getTime()) / 60_000;
  const profileSection =
    input.profiles.length === 0
      ? "No profile this run (every target was met, or BENCH_PROFILE=never)."
      : [
          "The API was restarted with `node --cpu-prof --cpu-prof-interval=500` (Node 20 refuses these flags in\n`NODE_OPTIONS`, so they go on the child's command line) and loaded again at",
          "c=32; only the samples inside each measured window are counted (the profile's clock is the",
          "process's monotonic clock, which the server reports). Self time is where the CPU was when",
          "sampled; inclusive time counts a workspace function whenever it is on the stack.",
          `Profile file: \`${input.profiles[0]?.file}\` (gitignored; open it in Chrome DevTools).`,
          "",
          ...input.profiles.map((p) => formatSummary(p.summary, p.title)),
        ].join("\n");

  const notes =
    input.previous ??
    "_(Hand-written analysis goes here; `pnpm bench` keeps this section between runs.)_\n";

  const markdown = `# Benchmarks

Generated by \`${input.command}\` (the root \`pnpm bench\` runs it through turbo) on
${input.startedAt.toISOString()} in ${f(minutes, 1)} minutes. Every figure below is the median of
${settings.repetitions} measured repetitions of ${settings.measureSeconds} s after a ${settings.warmupSeconds} s warm-up; each repetition is listed at the end.
This machine is shared: a window in which other processes kept more than ${settings.noisyPercent}% of it busy is
measured again (at most ${settings.extraRepetitions} extra per phase, ${settings.extraRepetitionsInRun} per run) and the ${settings.repetitions} least disturbed windows are kept.

**Machine**: ${machine.cores} cores (${machine.cpuModel}), ${f(machine.memoryGiB, 0)} GiB RAM, ${machine.os};
Node ${machine.node}; PostgreSQL ${machine.postgres} on 127.0.0.1 (${machine.postgresSettings}).
API, PostgreSQL and the load driver share these ${machine.cores} cores.

**Setup**: a fresh database on the local server, dropped at the end; the accounts every phase
uses are inserted first, then \`VACUUM ANALYZE users, passcodes\` (the tables they filled; the
others start as after migrations) and \`CHECKPOINT\`. The API runs in its own
process, compiled as production runs it (\`packages/bench/build.mjs\`: \`src/server.ts\` bundled
with esbuild, run by \`node\`; only the profiling run at the end runs it from its sources through tsx),
in production mode at ${settings.logLevel === undefined ? "its default log level (info: an access line per request, as users run it)" : `log level ${settings.logLevel}`} (\`NODE_ENV=production RATE_LIMIT_ENABLED=false
OTP_SEND_LIMIT=1000 DELIVERY=inline DATABASE_POOL_SIZE=${settings.poolSize}\`), built by \`startApp\` with the dev mailbox
injected as its transport: every email is rendered and passed to the dispatcher's transport
in-process, nothing leaves the machine. The driver (a separate process) sends HTTP/1.1 keep-alive
requests over loopback from a closed loop of c workers (undici, one connection per worker) to the
seed's REST paths, and at c=32 also to the tRPC procedures of verify and resend (\`auth.verifyEmail\`,
\`auth.resendCode\`: what the web app calls; "(tRPC)" rows). **resend**: \`POST /api/v1/auth/resend-otp/\` cycling over ${settings.resendAccounts} unverified
accounts (send slot + account lock, delete-and-insert of the code, sealed outbox row; after
commit a coalesced NOTIFY; then delivery: claim, render, transport, mark sent). **verify**: \`POST /api/v1/auth/verify-email/\` with the right
code, a fresh account and code per request (inserted in bulk before the clock starts, hashed with
the API's key). **register**: \`POST /api/v1/auth/register/\` with a fresh address (argon2id, account,
code, outbox, delivery).

**Floor**: the least SQL each operation needs, from the driver process through postgres.js with
the same pool size (${settings.poolSize}) and prepared statements, no HTTP, at the same concurrency:
${floorSql}

## Targets

${targetTable}

## Throughput and latency

${throughputTable}

## CPU per request

API process CPU is \`process.cpuUsage()\` (getrusage: every thread of the process, user + system)
of the API process over the window divided by the requests completed in it (it includes
delivering the emails those requests queued); "the same from /proc" is its utime + stime read from
outside, as an external harness counts it (the two agree within 1-2%). PostgreSQL
CPU is utime+stime (/proc) over the same window of the server's shared processes (checkpointer,
WAL writer, ...) and of the benchmark database's backends; other databases' backends (other
sessions on this shared server) are left out and count as "other processes". Floor client CPU is
the driver process while it runs the floor (postgres.js plus the load loop). "Emails delivered/s"
counts the injected transport's sends; "outbox backlog growth/s" is how fast undelivered emails
pile up during the window (0 when delivery keeps up; an email whose code is replaced before
delivery is settled as superseded and never sent). "Main thread waiting for a CPU" is the API
event loop's run-queue wait from /proc/thread-self/schedstat: time it was ready to run while the
CPUs were busy with something else. Machine busy is
/proc/stat over the window, all ${machine.cores} cores; "other processes" is the part of it not used by the API,
the benchmark's PostgreSQL work or the driver: other sessions' processes and database backends
(noise), and kernel threads working for us (network, disk writeback), so a few % is normal. Before the run the machine was ${f(input.machine.idleBusyPercent, 0)}% busy (load average ${input.machine.loadAverage}).

${cpuTable}

## SQL statements per request

Counted at the client, exactly: postgres.js's \`debug\` hook on the API's own database client
(switched on over IPC only for separate counting runs, after the timed ones) and on the floor's
client. BEGIN and COMMIT count as statements. The API figures include the delivery dispatcher's
statements for the emails the requests queued (claim, mark sent, next-due poll), which batch
better at c=32. ${input.statStatementsLoaded ? "(`pg_stat_statements` is loaded on this server but the client count is used for both sides.)" : "`pg_stat_statements` is not loaded on this server (`shared_preload_libraries` is empty and loading it needs a server restart), and `pg_stat_database.xact_commit` deltas proved unreliable at this granularity (backends publish their counters lazily, up to 10 s late under contention), so neither is used."}

${statementTable}

${breakdown}
## Verification while registrations run

Verify at c=32 measured alone and with registrations at c=${settings.interferenceRegisterConcurrency} running against the same API,
alternating window by window. Target: verify p99 with registrations under 2x without.

${interferenceTable}

Event-loop delay (perf_hooks.monitorEventLoopDelay in the API) p99 is shown above; its maximum
during the mixed windows was ${f(input.interference.eventLoopDelayMaxMs, 1)} ms (median over windows).

## argon2id

One hash with the API's parameters (19 MiB, t=2, p=1, @node-rs/argon2, in the driver process,
machine otherwise idle): **${f(input.argon2.singleMs, 1)} ms**. 16 in parallel on libuv's pool
(${input.argon2.threadpool} threads): **${f(input.argon2.hashesPerSecond, 1)} hashes/s**, which caps registrations on this
machine before any SQL; the register floor above leaves the hash out.

## Memory

API resident set size after the run (after all phases above): **${f(input.rssAfterRunMb, 0)} MiB**.

## Profile

${profileSection}

## Analysis

<!-- notes:start -->
${notes}<!-- notes:end -->

## Every repetition

${repTable}
`;

  const consoleText = [
    "",
    `Benchmarks (${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}), medians of ${settings.repetitions}:`,
    "",
    throughputTable,
    "",
    cpuTable,
    "",
    statementTable,
    "",
    interferenceTable,
    "",
    `argon2id one hash ${f(input.argon2.singleMs, 1)} ms; ${f(input.argon2.hashesPerSecond, 1)} hashes/s in parallel. API RSS after run ${f(input.rssAfterRunMb, 0)} MiB.`,
    "",
    targetTable,
    "",
  ].join("\n");
  return { markdown, console: consoleText };
}
