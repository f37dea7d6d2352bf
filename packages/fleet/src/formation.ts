/**
 * A pg_auto_failover formation (Debian's postgresql-15-auto-failover) started on free
 * loopback ports in a temporary directory: a monitor, a primary and a synchronous
 * secondary, each `pg_autoctl run` a server process of its own. The product reaches it
 * through a multi-host URL with target_session_attrs=read-write.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@otp/reliability/http";
import postgres from "postgres";
import {
  freePort,
  programAvailable,
  removeDir,
  runServerCommand,
  type ServerProcess,
  serverDir,
  startServer,
} from "./system.js";

export const PG_AUTOCTL = "/usr/bin/pg_autoctl";
export const PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl";
/** The database the product uses on the formation. */
export const FORMATION_DATABASE = "otp";

export interface FormationNode {
  name: string;
  port: number;
  pgdata: string;
  keeper: ServerProcess;
}

export interface NodeState {
  name: string;
  port: number;
  reported: string;
  goal: string;
}

export interface Formation {
  /** postgres://postgres@127.0.0.1:p1,127.0.0.1:p2/otp?target_session_attrs=read-write */
  readonly url: string;
  readonly nodes: readonly FormationNode[];
  /** The monitor's failure-detection settings in effect (milliseconds and retries). */
  failureDetection(): Promise<Record<string, string>>;
  /** Each node's reported and goal state, from the monitor. */
  states(): Promise<NodeState[]>;
  /** Waits until one node is primary and the other secondary, both as their goal; resolves to the primary. */
  settled(timeoutMs?: number): Promise<FormationNode>;
  /** `pg_autoctl perform switchover`: the secondary becomes primary, the primary a secondary. */
  switchover(): Promise<void>;
  /** SIGKILL to the postmaster of `node` (its keeper stays and acts as it decides). */
  killPostmaster(node: FormationNode): void;
  /**
   * The node lost: SIGKILL to its keeper's process group (`pg_autoctl run`, its services
   * and the postmaster they started) and to the postmaster. Nothing restarts it, so the
   * monitor's health checks find it gone and fail over to the synchronous secondary.
   */
  loseNode(node: FormationNode): Promise<void>;
  /** Waits until a node other than `lost` is the primary, alone (`wait_primary`) or not; resolves to it. */
  promotedOver(lost: FormationNode, timeoutMs?: number): Promise<FormationNode>;
  /** Starts `node`'s keeper again: it rejoins the formation as a secondary. */
  restartNode(node: FormationNode): void;
  stop(): Promise<void>;
}

export function formationAvailable(): boolean {
  return (
    programAvailable(PG_AUTOCTL, "pg_auto_failover (Debian package postgresql-15-auto-failover)") &&
    programAvailable(PG_CTL, "PostgreSQL 15 server (Debian package postgresql-15)")
  );
}

/**
 * The monitor's failure detection, from its defaults (a health check every 20 s, a node
 * unhealthy after 20 s without a report) down to about 3 s, so a lost primary is failed
 * over within a test's time. Written to the monitor's configuration before it starts.
 */
const FAST_FAILURE_DETECTION: Record<string, number> = {
  "pgautofailover.health_check_period": 1_000,
  "pgautofailover.health_check_timeout": 1_000,
  "pgautofailover.health_check_max_retries": 1,
  "pgautofailover.health_check_retry_delay": 500,
  "pgautofailover.node_considered_unhealthy_timeout": 3_000,
};

export async function startFormation(): Promise<Formation> {
  const dir = serverDir("formation");
  // pg_autoctl keeps its configuration and state under XDG directories: here, not in a home.
  const env = {
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_DATA_HOME: join(dir, "data"),
    XDG_RUNTIME_DIR: join(dir, "run"),
    PG_CONFIG: "/usr/lib/postgresql/15/bin/pg_config",
  };
  const servers: ServerProcess[] = [];
  const common = ["--pgctl", PG_CTL, "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl"];

  const monitorPort = await freePort();
  const monitorData = join(dir, "monitor");
  await runServerCommand(
    PG_AUTOCTL,
    ["create", "monitor", "--pgdata", monitorData, "--pgport", String(monitorPort), ...common],
    { env },
  );
  appendFileSync(
    join(monitorData, "postgresql.auto.conf"),
    Object.entries(FAST_FAILURE_DETECTION)
      .map(([name, value]) => `${name} = ${value}\n`)
      .join(""),
  );
  servers.push(startServer(PG_AUTOCTL, ["run", "--pgdata", monitorData], { env }));
  const monitorUrl = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover?sslmode=disable`;
  const monitor = postgres({
    host: "127.0.0.1",
    port: monitorPort,
    database: "pg_auto_failover",
    user: "postgres",
    max: 1,
    connect_timeout: 3,
    onnotice: () => {},
  });
  await waitFor(
    "the monitor to accept connections",
    () =>
      monitor`SELECT 1`.then(
        () => true,
        () => null,
      ),
    {
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );

  const nodes: FormationNode[] = [];
  const addNode = async (name: string) => {
    const port = await freePort();
    const pgdata = join(dir, name);
    await runServerCommand(
      PG_AUTOCTL,
      [
        "create",
        "postgres",
        "--pgdata",
        pgdata,
        "--pgport",
        String(port),
        "--name",
        name,
        "--dbname",
        FORMATION_DATABASE,
        "--monitor",
        monitorUrl,
        ...common,
      ],
      { env, timeoutMs: 120_000 },
    );
    const keeper = startServer(PG_AUTOCTL, ["run", "--pgdata", pgdata], { env });
    servers.push(keeper);
    const node = { name, port, pgdata, keeper };
    nodes.push(node);
    return node;
  };

  const states = async (): Promise<NodeState[]> =>
    (
      await monitor<Array<{ name: string; port: number; reported: string; goal: string }>>`
        SELECT nodename AS name, nodeport AS port, reportedstate::text AS reported,
               goalstate::text AS goal
        FROM pgautofailover.node ORDER BY nodeid`
    ).map((row) => ({ ...row }));

  const waitStates = (wanted: string[], timeoutMs: number) =>
    waitFor(
      `the formation to reach ${wanted.join(" + ")}`,
      async () => {
        const now = await states().catch(() => []);
        const reached = now.filter((n) => n.reported === n.goal).map((n) => n.reported);
        return wanted.every((state) => reached.includes(state)) && now.length === wanted.length
          ? now
          : null;
      },
      { timeoutMs, intervalMs: 250 },
    );

  try {
    await addNode("node_a");
    await waitStates(["single"], 120_000);
    await addNode("node_b");
    await waitStates(["primary", "secondary"], 180_000);
  } catch (error) {
    const output = servers.map((s) => s.output().slice(-2000)).join("\n---\n");
    await Promise.all(servers.map((s) => s.stop(2_000)));
    await monitor.end({ timeout: 1 });
    removeDir(dir);
    throw new Error(`${(error as Error).message}\n${output}`);
  }

  const formation: Formation = {
    url: `postgres://postgres@${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}/${FORMATION_DATABASE}?target_session_attrs=read-write`,
    nodes,
    states,
    async failureDetection() {
      const entries: Array<[string, string]> = [];
      for (const name of Object.keys(FAST_FAILURE_DETECTION)) {
        const [row] = await monitor<
          Array<{ value: string }>
        >`SELECT current_setting(${name}) AS value`;
        entries.push([name.replace("pgautofailover.", ""), row?.value ?? ""]);
      }
      return Object.fromEntries(entries);
    },
    async settled(timeoutMs = 120_000) {
      const now = await waitStates(["primary", "secondary"], timeoutMs);
      const primary = now.find((n) => n.reported === "primary");
      return nodes.find((n) => n.port === primary?.port) as FormationNode;
    },
    async switchover() {
      await runServerCommand(
        PG_AUTOCTL,
        ["perform", "switchover", "--pgdata", monitorData, "--wait", "90"],
        { env, timeoutMs: 120_000 },
      );
    },
    killPostmaster(node) {
      const pid = Number(readFileSync(join(node.pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
      process.kill(pid, "SIGKILL");
    },
    async loseNode(node) {
      let postmaster: number | undefined;
      try {
        postmaster = Number(
          readFileSync(join(node.pgdata, "postmaster.pid"), "utf8").split("\n")[0],
        );
      } catch {
        // not running
      }
      node.keeper.signal("SIGKILL");
      try {
        if (postmaster !== undefined) process.kill(postmaster, "SIGKILL");
      } catch {
        // gone with its keeper's process group
      }
      await node.keeper.exited;
    },
    async promotedOver(lost, timeoutMs = 120_000) {
      const promoted = await waitFor(
        `a node other than ${lost.name} to be promoted`,
        async () => {
          const now = await states().catch(() => []);
          return (
            now.find(
              (n) =>
                n.port !== lost.port &&
                n.reported === n.goal &&
                (n.reported === "primary" || n.reported === "wait_primary"),
            ) ?? null
          );
        },
        { timeoutMs, intervalMs: 250 },
      );
      return nodes.find((n) => n.port === promoted.port) as FormationNode;
    },
    restartNode(node) {
      servers.splice(servers.indexOf(node.keeper), 1);
      node.keeper = startServer(PG_AUTOCTL, ["run", "--pgdata", node.pgdata], { env });
      // Stopped before the monitor, which is first in the list.
      servers.push(node.keeper);
    },
    async stop() {
      await monitor.end({ timeout: 1 }).catch(() => {});
      // The keepers first (each stops its PostgreSQL), the monitor last.
      for (const server of [...servers].reverse()) await server.stop(15_000);
      removeDir(dir);
    },
  };
  return formation;
}
