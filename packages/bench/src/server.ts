/**
 * The API under test, run as its own process by the bench driver (src/bench.ts):
 * the production configuration from the environment (`loadConfig`), the real
 * `startApp`, and the dev mailbox as the injected transport, so every email
 * goes through the real dispatcher and renderer and is then dropped in memory.
 *
 * Talks to the driver over the IPC channel only:
 *   -> { type: "sample" }          <- { type: "sample", ...Sample }   own CPU, RSS, event-loop delay
 *   -> { type: "count", on }       <- { type: "count", ...Counts }    SQL statements sent (postgres.js debug hook)
 *   -> { type: "stop" }            closes the app and exits (a --cpu-prof profile is written then)
 * It exits by itself if the driver goes away (IPC disconnect).
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadConfig, startApp } from "@otp/api";
import { createDatabase } from "@otp/core/db";
import { createDevMailbox, type MailTransport } from "@otp/email";

type ServerMessage = { type: "sample" } | { type: "count"; on: boolean } | { type: "stop" };

if (process.send === undefined) {
  console.error("server.ts is started by the bench driver with an IPC channel");
  process.exit(2);
}
const send = (message: object) => process.send?.(message);

const config = loadConfig(process.env);

// The database the API would open itself (same options as startApp), opened here only so
// the driver can switch on a statement counter on its postgres.js client.
const database = await createDatabase({
  url: config.databaseUrl,
  poolSize: config.databasePoolSize,
  connectTimeoutSeconds: 5,
});
type DebugHook = (connection: number, query: string) => void;
const client = (database.db as unknown as { $client: { options: { debug?: DebugHook | false } } })
  .$client;

let statements = 0;
const statementsByKind = new Map<string, number>();
const countStatement: DebugHook = (_connection, query) => {
  statements++;
  const kind = query.replace(/\s+/g, " ").trim().slice(0, 48);
  statementsByKind.set(kind, (statementsByKind.get(kind) ?? 0) + 1);
};

// Every email goes through the real dispatcher and renderer, then into memory.
const mailbox = createDevMailbox({ log: () => {} });
let mailsSent = 0;
const transport: MailTransport = {
  send: (mail) => {
    mailsSent++;
    return mailbox.send(mail);
  },
  close: () => mailbox.close(),
  maxConcurrentSends: mailbox.maxConcurrentSends,
};

const app = await startApp(config, { transport, database });
const eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
eventLoopDelay.enable();

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const force = setTimeout(() => process.exit(code === 0 ? 1 : code), 10_000);
    force.unref();
    try {
      await app.close();
      await database.close();
    } catch (error) {
      console.error(`bench server: close failed: ${(error as Error).message}`);
    }
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

/**
 * The main thread's scheduler counters: nanoseconds on a CPU and waiting for
 * one (runnable but not running), and how often it was preempted.
 */
function mainThreadScheduling() {
  try {
    const [onCpuNs = 0, waitingNs = 0] = readFileSync("/proc/thread-self/schedstat", "utf8")
      .trim()
      .split(" ")
      .map(Number);
    const status = readFileSync("/proc/thread-self/status", "utf8");
    const preempted = Number(
      status.match(/nonvoluntary_ctxt_switches:\s+(\d+)/)?.[1] ?? Number.NaN,
    );
    return { onCpuNs, waitingNs, preempted };
  } catch {
    return { onCpuNs: Number.NaN, waitingNs: Number.NaN, preempted: Number.NaN };
  }
}

process.on("message", (message: ServerMessage) => {
  if (message.type === "sample") {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    send({
      type: "sample",
      atMs: Number(process.hrtime.bigint()) / 1e6,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      mailsSent,
      mainThread: mainThreadScheduling(),
      // Since the previous sample (the histogram is reset on each one), in milliseconds.
      eventLoopDelay: {
        p50: eventLoopDelay.percentile(50) / 1e6,
        p99: eventLoopDelay.percentile(99) / 1e6,
        max: eventLoopDelay.max / 1e6,
      },
    });
    eventLoopDelay.reset();
  } else if (message.type === "count") {
    send({ type: "count", statements, byKind: Object.fromEntries(statementsByKind) });
    statements = 0;
    statementsByKind.clear();
    client.options.debug = message.on ? countStatement : false;
  } else if (message.type === "stop") {
    void stop(0);
  }
});
process.on("disconnect", () => void stop(1));
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));

send({ type: "ready", url: app.url, pid: process.pid });
process.stdout.write(`${JSON.stringify({ ready: true, url: app.url, pid: process.pid })}\n`);
