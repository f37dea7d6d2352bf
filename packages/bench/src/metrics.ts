/** CPU accounting around a measurement window: the API process, PostgreSQL, this driver, the machine. */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import type { ApiProcess, ServerSample } from "./api-process.js";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface Snapshot {
  at: number;
  machine: { busyTicks: number; totalTicks: number } | null;
  postgresTicks: number | null;
  driverCpuUs: number;
  server: ServerSample | null;
  /** The API process's utime + stime from /proc/<pid>/stat, read from outside (ticks). */
  serverProcTicks: number | null;
}

export interface WindowCpu {
  /**
   * API process CPU (user + system) per completed request, ms: getrusage of the whole
   * process (every thread: main, libuv pool, V8's GC and compiler threads), read inside it.
   */
  apiCpuMsPerRequest: number;
  /** The same from outside (/proc/<pid>/stat utime + stime, 10 ms ticks), as an external harness counts. */
  apiProcCpuMsPerRequest: number;
  /** The kernel's share of it (system time), ms per request. */
  apiSystemMsPerRequest: number;
  /** Cores the API process kept busy on average. */
  apiCores: number;
  /** All PostgreSQL processes' CPU per completed request, ms. */
  postgresCpuMsPerRequest: number;
  /** This driver's CPU per completed request, ms (for the floor: the postgres.js client side). */
  driverCpuMsPerRequest: number;
  /** Share of the machine's CPU time that was busy, %. */
  machineBusyPercent: number;
  /**
   * Busy share not explained by the API, PostgreSQL and this driver: other
   * processes on the machine (noise), %. Kernel threads doing their network
   * work count here too, so a few % is normal.
   */
  otherBusyPercent: number;
  /** Time the API's main thread was runnable but waiting for a CPU, ms per request. */
  apiRunqueueWaitMsPerRequest: number;
  /** Times the API's main thread was preempted, per request. */
  apiPreemptionsPerRequest: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  mailsPerSecond: number;
}

function readMachine(): Snapshot["machine"] {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busyTicks: total - idle, totalTicks: total };
  } catch {
    return null;
  }
}

let benchDatabase: string | null = null;

/** Count only the PostgreSQL work of this database (other databases' backends are "other"). */
export function setBenchDatabase(name: string): void {
  benchDatabase = name;
}

/** Backends of another database: other sessions' work on the shared server. */
function servesAnotherDatabase(title: string): boolean {
  if (benchDatabase === null) return false;
  // "postgres: 15/main: <user> <database> <client> <state>" for a backend,
  // "postgres: 15/main: checkpointer" (and the like) for the shared processes.
  const rest = title.replace(/^postgres: [^:]+: /, "");
  if (rest === title) return false; // the postmaster
  if (rest.includes(` ${benchDatabase}`) || rest.startsWith(`${benchDatabase}`)) return false;
  const shared =
    /^(checkpointer|background writer|walwriter|logical replication launcher|autovacuum launcher|archiver|stats|startup|walsender|walreceiver)/;
  if (shared.test(rest)) return false;
  return true;
}

/**
 * utime + stime of the processes named "postgres" that work for this run: the
 * server's shared processes and the backends (and autovacuum workers) of the
 * benchmark database.
 */
function readPostgresTicks(): number | null {
  try {
    let ticks = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      let title: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const open = stat.indexOf("(");
        if (stat.slice(open + 1, stat.lastIndexOf(")")) !== "postgres") continue;
        title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      } catch {
        continue; // exited meanwhile
      }
      if (servesAnotherDatabase(title)) continue;
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields after the command: state(3) ... utime(14) stime(15), 1-based from pid.
      ticks += Number(rest[11]) + Number(rest[12]);
    }
    return ticks;
  } catch {
    return null;
  }
}

function readProcessTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

export async function snapshot(api: ApiProcess | null): Promise<Snapshot> {
  const serverProcTicks = api === null ? null : readProcessTicks(api.pid);
  const server = api === null ? null : await api.sample();
  const cpu = process.cpuUsage();
  return {
    at: performance.now(),
    machine: readMachine(),
    postgresTicks: readPostgresTicks(),
    driverCpuUs: cpu.user + cpu.system,
    server,
    serverProcTicks,
  };
}

export function windowCpu(before: Snapshot, after: Snapshot, completed: number): WindowCpu {
  const perRequest = (ms: number) => (completed === 0 ? Number.NaN : ms / completed);
  const wallMs = after.at - before.at;
  let apiCpuMs = Number.NaN;
  let apiSystemMs = Number.NaN;
  let apiWallMs = Number.NaN;
  let mails = Number.NaN;
  if (before.server !== null && after.server !== null) {
    apiCpuMs =
      (after.server.cpuUserUs +
        after.server.cpuSystemUs -
        before.server.cpuUserUs -
        before.server.cpuSystemUs) /
      1000;
    apiSystemMs = (after.server.cpuSystemUs - before.server.cpuSystemUs) / 1000;
    apiWallMs = after.server.atMs - before.server.atMs;
    mails = after.server.mailsSent - before.server.mailsSent;
  }
  const postgresMs =
    before.postgresTicks === null || after.postgresTicks === null
      ? Number.NaN
      : ((after.postgresTicks - before.postgresTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
  const machine =
    before.machine === null || after.machine === null
      ? Number.NaN
      : (100 * (after.machine.busyTicks - before.machine.busyTicks)) /
        Math.max(1, after.machine.totalTicks - before.machine.totalTicks);
  const driverMs = (after.driverCpuUs - before.driverCpuUs) / 1000;
  const ownMs = (Number.isFinite(apiCpuMs) ? apiCpuMs : 0) + postgresMs + driverMs;
  const otherBusyPercent = machine - (100 * ownMs) / (wallMs * availableParallelism());
  const apiProcMs =
    before.serverProcTicks === null || after.serverProcTicks === null
      ? Number.NaN
      : ((after.serverProcTicks - before.serverProcTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
  return {
    apiCpuMsPerRequest: perRequest(apiCpuMs),
    apiProcCpuMsPerRequest: perRequest(apiProcMs),
    apiSystemMsPerRequest: perRequest(apiSystemMs),
    apiCores: apiCpuMs / apiWallMs,
    postgresCpuMsPerRequest: perRequest(postgresMs),
    driverCpuMsPerRequest: perRequest(driverMs),
    machineBusyPercent: machine,
    otherBusyPercent,
    apiRunqueueWaitMsPerRequest:
      before.server === null || after.server === null
        ? Number.NaN
        : perRequest(
            (after.server.mainThread.waitingNs - before.server.mainThread.waitingNs) / 1e6,
          ),
    apiPreemptionsPerRequest:
      before.server === null || after.server === null
        ? Number.NaN
        : perRequest(after.server.mainThread.preempted - before.server.mainThread.preempted),
    eventLoopDelayP99Ms: after.server?.eventLoopDelay.p99 ?? Number.NaN,
    eventLoopDelayMaxMs: after.server?.eventLoopDelay.max ?? Number.NaN,
    mailsPerSecond: (mails * 1000) / wallMs,
  };
}
