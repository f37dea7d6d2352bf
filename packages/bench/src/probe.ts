/**
 * One operation at one concurrency against a fresh API, for trying a change
 * quickly (e.g. in a scratch copy of the repository) without the whole bench.
 *
 *   node --import tsx src/probe.ts <verify|resend|register|healthz> <concurrency> <seconds> [--strace] [--floor]
 *
 * --strace counts the API process's system calls during the window (strace -c -f).
 * --floor runs the floor instead of the API (no strace).
 * --trpc calls verify and resend through their tRPC procedures instead of the REST routes.
 * --profile runs the API under node --cpu-prof and summarises the window's samples.
 * --with-register=N keeps N concurrent registrations running during the window.
 * --ballast=N inserts N more accounts first (the full bench prepares about 460,000).
 * --production runs the production build instead (`pnpm build` first: node apps/api/dist/main.js,
 *   emails to an unreachable SMTP_URL) and prints its resident memory (/proc/<pid>/status) at
 *   start, after the window and after --idle=S seconds (default 10) with no load;
 *   --node-flags="..." goes on its command line (e.g. --max-semi-space-size=2).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hash } from "@node-rs/argon2";
import { DEFAULT_ARGON2 } from "@otp/core";
import { deriveKeys } from "@otp/core/internal";
import postgres from "postgres";
import { Pool } from "undici";
import { ApiProcess, residentMemory, startProductionApi } from "./api-process.js";
import { type Account, AccountPool, insertAccounts } from "./fixtures.js";
import { createFloor } from "./floor.js";
import {
  apiEnvironment,
  createBenchDatabase,
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
  TRPC,
} from "./harness.js";
import { ClosedLoop, type Operation, sleep } from "./load.js";
import { setBenchDatabase, snapshot, windowCpu } from "./metrics.js";
import { formatSummary, summariseProfile } from "./profile.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((arg) => arg.startsWith("--")));
  const [operation = "verify", c = "32", s = "5"] = args.filter((arg) => !arg.startsWith("--"));
  const concurrency = Number(c);
  const seconds = Number(s);
  const useFloor = flags.has("--floor");
  const useTrpc = flags.has("--trpc");
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const keys = deriveKeys(SECRET);
  const passwordHash = await hash(PASSWORD, DEFAULT_ARGON2);

  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  onCleanup(() => admin.end({ timeout: 5 }));
  const { url, name } = await createBenchDatabase(admin, adminUrl);
  setBenchDatabase(name);
  const sql = postgres(url, { max: POOL_SIZE, onnotice: () => {} });
  onCleanup(() => sql.end({ timeout: 5 }));

  const profileDir = `/tmp/otp-bench-profile-${process.pid}`;
  const production = flags.has("--production");
  const nodeFlags = (args.find((arg) => arg.startsWith("--node-flags="))?.slice(13) ?? "")
    .split(" ")
    .filter((flag) => flag !== "");
  const productionApi = production
    ? await startProductionApi(apiEnvironment(url), nodeFlags)
    : null;
  if (productionApi !== null) onCleanup(() => productionApi.stop());
  const memory: Record<string, ReturnType<typeof residentMemory>> = {};
  if (productionApi !== null) memory.atStart = residentMemory(productionApi.pid);
  const api =
    productionApi ??
    (await ApiProcess.start(
      apiEnvironment(url),
      flags.has("--profile")
        ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=250"]
        : nodeFlags,
      { source: flags.has("--profile") },
    ));
  if (api instanceof ApiProcess) {
    running.api = api;
    onCleanup(() => running.api?.stop() ?? Promise.resolve());
  }
  const withIpc = api instanceof ApiProcess ? api : null;

  const accounts =
    operation === "verify"
      ? new AccountPool(
          await insertAccounts(
            sql,
            keys.codeHmac,
            "probe",
            Math.ceil(6_000 * (seconds + 2)),
            passwordHash,
          ),
        )
      : undefined;
  const resendAccounts =
    operation === "resend"
      ? await insertAccounts(sql, keys.codeHmac, "resend", 1_000, passwordHash)
      : [];
  const ballast = Number(args.find((arg) => arg.startsWith("--ballast="))?.slice(10) ?? 0);
  if (ballast > 0) {
    await insertAccounts(sql, keys.codeHmac, "ballast", ballast, passwordHash);
    await settleFixtures(sql);
  }
  const floor = createFloor(sql, keys.codeHmac, passwordHash);
  const pool = new Pool(api.url, { connections: concurrency, pipelining: 1 });
  let n = 0;
  const operations: Record<string, Operation> = {
    verify: async () => {
      const account = accounts?.take();
      if (account === undefined) return "exhausted";
      if (useFloor) return (await floor.verify(account)) ? "ok" : { error: "not consumed" };
      return useTrpc
        ? post(pool, TRPC.verify, { email: account.email, code: account.code }, 200)
        : post(pool, REST.verify, { email: account.email, otp: account.code }, 200);
    },
    resend: async () => {
      const account = resendAccounts[n++ % resendAccounts.length] as Account;
      if (useFloor) {
        await floor.resend(account.userId);
        return "ok";
      }
      return post(pool, useTrpc ? TRPC.resend : REST.resend, { email: account.email }, 200);
    },
    /** The framework alone: a trivial route through every hook (helmet, CORS, ...). */
    healthz: async () => {
      const response = await pool.request({ method: "GET", path: "/healthz" });
      await response.body.dump();
      return response.statusCode === 200 ? "ok" : { error: `healthz ${response.statusCode}` };
    },
    register: async () => {
      const email = `probe-${n++}@example.com`;
      if (useFloor) {
        await floor.register(email);
        return "ok";
      }
      return post(pool, REST.register, { email, password: PASSWORD }, 201);
    },
  };
  const selected = operations[operation];
  if (selected === undefined) throw new Error(`unknown operation ${operation}`);

  // Production steady state: the first email compiles the templates (one React render).
  const warmPool = new Pool(api.url, { connections: 1 });
  await post(warmPool, REST.register, { email: "probe-warm@example.com", password: PASSWORD }, 201);
  await warmPool.close();
  await sleep(200);
  const loop = new ClosedLoop(concurrency, selected).start();
  const background = Number(
    args.find((arg) => arg.startsWith("--with-register="))?.split("=")[1] ?? "0",
  );
  const registerPool = new Pool(api.url, { connections: Math.max(1, background) });
  const registering =
    background > 0
      ? new ClosedLoop(background, () =>
          post(
            registerPool,
            REST.register,
            { email: `bg-${n++}@example.com`, password: PASSWORD },
            201,
          ),
        ).start()
      : null;
  await sleep(2_000);
  let strace: ChildProcess | null = null;
  const straceFile = `/tmp/otp-bench-strace-${process.pid}.txt`;
  if (flags.has("--strace") && !useFloor) {
    strace = spawn("strace", ["-c", "-f", "-p", String(api.pid), "-o", straceFile], {
      stdio: "ignore",
    });
    await sleep(500);
  }
  const before = await snapshot(useFloor ? null : withIpc);
  loop.beginWindow();
  await Promise.race([sleep(seconds * 1000), loop.exhausted]);
  const stats = loop.endWindow();
  const after = await snapshot(useFloor ? null : withIpc);
  if (productionApi !== null) memory.afterWindow = residentMemory(productionApi.pid);
  if (strace !== null) {
    strace.kill("SIGINT");
    await new Promise((resolve) => strace?.once("exit", resolve));
  }
  const outboxAtEnd = await sql`SELECT status, count(*)::int AS n FROM email_outbox GROUP BY 1`;
  await registering?.stop();
  await registerPool.close();
  if (registering !== null)
    log(`background registrations: ${registering.completed} (${registering.errors} errors)`);
  await loop.stop();
  await pool.close();
  log(
    `outbox at the end of the window: ${outboxAtEnd.map((row) => `${row.status} ${row.n}`).join(", ")}`,
  );
  const cpu = windowCpu(before, after, stats.completed);
  if (productionApi !== null) {
    const idle = Number(args.find((arg) => arg.startsWith("--idle="))?.slice(7) ?? 10);
    await sleep(idle * 1000);
    memory[`after${idle}sIdle`] = residentMemory(productionApi.pid);
    console.log(JSON.stringify({ residentMemoryMiB: memory, nodeFlags }, null, 1));
  }
  if (flags.has("--profile") && withIpc !== null) {
    await withIpc.stop();
    running.api = null;
    const file = readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"));
    if (file !== undefined) {
      const summary = summariseProfile(
        join(profileDir, file),
        {
          fromUs: (before.server?.atMs ?? 0) * 1000,
          toUs: (after.server?.atMs ?? 0) * 1000,
        },
        30,
      );
      console.log(
        formatSummary(summary, `${operation} c=${concurrency}: ${join(profileDir, file)}`),
      );
    }
  }
  console.log(
    JSON.stringify(
      {
        operation,
        target: useFloor ? "floor" : useTrpc ? "trpc" : "api",
        concurrency,
        requestsPerSecond: Math.round(stats.requestsPerSecond),
        p50Ms: stats.p50Ms,
        p99Ms: stats.p99Ms,
        completed: stats.completed,
        errors: stats.errors,
        firstErrors: stats.firstErrors,
        ...cpu,
      },
      null,
      1,
    ),
  );
  if (strace !== null) {
    const text = readFileSync(straceFile, "utf8");
    log(`strace -c over ${stats.completed} requests (${straceFile}):`);
    for (const line of text.split("\n").slice(0, 22)) {
      const calls = line.trim().split(/\s+/);
      const count = Number(calls[3]);
      const perRequest = Number.isFinite(count)
        ? ` (${(count / stats.completed).toFixed(2)}/req)`
        : "";
      console.log(`${line}${perRequest}`);
    }
  }
}

installLifecycle();
main().then(
  () => finish(0),
  (error: unknown) => finish(1, `failed: ${(error as Error).stack ?? error}`),
);
