/**
 * Before the run: forget the children of an earlier run. After it: kill any
 * API child that a dead worker left behind. Pids are reused, so a process is
 * killed only if it carries the marker its child was started with.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_TEST_DATABASE_URL } from "@otp/core/testing";
import postgres from "postgres";
import { CHILD_MARKER_VARIABLE, CHILD_PIDS_FILE, DATABASES_FILE, RESULTS_DIR } from "./paths.js";

const FIGURES_FILE = join(RESULTS_DIR, "figures.json");

export async function setup(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await dropLeftoverDatabases(); // of an earlier run that was killed before its teardown
  rmSync(CHILD_PIDS_FILE, { force: true });
  // Every figure of a report comes from the run that wrote it.
  for (const name of readdirSync(RESULTS_DIR)) {
    if (name.startsWith("figures")) rmSync(join(RESULTS_DIR, name), { force: true });
  }
}

export async function teardown(): Promise<void> {
  killLeftoverChildren();
  await dropLeftoverDatabases();
  collectFigures();
}

/**
 * Drops the databases this suite created that are still there (a scenario drops
 * its own in afterAll; this catches a worker that died first). Only names the
 * suite wrote down, and only the `otp_test_` ones, are touched.
 */
async function dropLeftoverDatabases(): Promise<void> {
  if (!existsSync(DATABASES_FILE)) return;
  const names = readFileSync(DATABASES_FILE, "utf8")
    .split("\n")
    .filter((name) => /^otp_test_[a-z0-9_]+$/.test(name));
  if (names.length > 0) {
    const admin = postgres(process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL, {
      max: 1,
      connect_timeout: 3,
      onnotice: () => {},
    });
    try {
      for (const name of names)
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } catch {
      // no server: nothing was created either
    } finally {
      await admin.end({ timeout: 2 }).catch(() => {});
    }
  }
  rmSync(DATABASES_FILE, { force: true });
}

/** One file with every scenario's figures: .test-results/figures.json. */
function collectFigures(): void {
  const scenarios: Record<string, unknown> = {};
  for (const name of readdirSync(RESULTS_DIR).sort()) {
    const match = /^figures-(.+)\.json$/.exec(name);
    if (match?.[1] === undefined) continue;
    scenarios[match[1]] = JSON.parse(readFileSync(join(RESULTS_DIR, name), "utf8"));
  }
  writeFileSync(
    FIGURES_FILE,
    `${JSON.stringify({ finishedAt: new Date().toISOString(), scenarios }, null, 2)}\n`,
  );
  console.log(`[reliability] figures of this run: ${FIGURES_FILE}`);
}

function killLeftoverChildren(): void {
  if (!existsSync(CHILD_PIDS_FILE)) return;
  const markers = new Map<number, string>();
  for (const line of readFileSync(CHILD_PIDS_FILE, "utf8").split("\n")) {
    const [pid, marker] = line.split(" ");
    if (pid !== undefined && marker !== undefined) markers.set(Number(pid), marker);
  }
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // Field 5 of /proc/<pid>/stat is the process group (after the parenthesised name).
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const marker = markers.get(group);
      if (marker === undefined) continue;
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (environ.includes(`${CHILD_MARKER_VARIABLE}=${marker}`)) process.kill(pid, "SIGKILL");
    } catch {
      // gone, or not ours to read
    }
  }
  rmSync(CHILD_PIDS_FILE, { force: true });
}
