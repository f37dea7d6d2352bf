/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by
 * package, and inclusive time of the product's own functions, optionally only
 * for samples inside a time window (monotonic clock, microseconds: the same
 * clock as process.hrtime, which the bench server reports).
 *
 * CLI: node --import tsx src/profile.ts <file.cpuprofile> [fromUs toUs]
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time inside the window, excluding idle, ms. */
  busyMs: number;
  idleMs: number;
  samples: number;
  selfByFunction: Row[];
  selfByPackage: Row[];
  /** Time with at least one frame of the package on the stack (nested packages overlap). */
  inclusiveByPackage: Row[];
  /** Inclusive time of functions in the workspace's own source (apps/*, packages/*). */
  inclusiveOwnCode: Row[];
}

const WORKSPACE_SOURCE = /\/(apps|packages)\/[^/]+\/src\//;

/** node_modules package, node internal, or workspace package a frame belongs to. */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === "") {
    if (functionName.startsWith("(")) return functionName; // (garbage collector), (program), (idle)
    return "(native)";
  }
  if (url.startsWith("node:")) return "node: internals";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const own = url.match(/\/(apps|packages)\/([^/]+)\//);
  if (own !== null) return `workspace: ${own[1]}/${own[2]}`;
  return url;
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName === "" ? "(anonymous)" : frame.functionName;
  if (frame.url === "") return name;
  let where = frame.url;
  const modules = where.lastIndexOf("/node_modules/");
  if (modules >= 0) where = where.slice(modules + "/node_modules/".length);
  else where = where.replace(/^file:\/\/.*?\/(apps|packages)\//, "$1/");
  return `${name} ${where}:${frame.lineNumber + 1}`;
}

export function summariseProfile(
  file: string,
  window?: { fromUs: number; toUs: number },
  top = 20,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const self = new Map<string, number>();
  const selfPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const inclusivePackage = new Map<string, number>();
  let time = profile.startTime;
  let busyUs = 0;
  let idleUs = 0;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    if (window !== undefined && (time < window.fromUs || time > window.toUs)) continue;
    // Weight: the interval until the next sample (the last one gets the median-ish 1 ms).
    const weight = Math.max(0, profile.timeDeltas[i + 1] ?? 1000);
    const node = byId.get(profile.samples[i] as number);
    if (node === undefined) continue;
    counted++;
    if (node.callFrame.functionName === "(idle)") {
      idleUs += weight;
      continue;
    }
    busyUs += weight;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + weight);
    const pkg = packageOf(node.callFrame);
    selfPackage.set(pkg, (selfPackage.get(pkg) ?? 0) + weight);
    const seen = new Set<string>();
    const seenPackages = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = (byId.get(id) as ProfileNode).callFrame;
      const framePackage = packageOf(frame);
      if (!seenPackages.has(framePackage)) {
        seenPackages.add(framePackage);
        inclusivePackage.set(framePackage, (inclusivePackage.get(framePackage) ?? 0) + weight);
      }
      if (!WORKSPACE_SOURCE.test(frame.url)) continue;
      const ownName = frameName(frame);
      if (seen.has(ownName)) continue;
      seen.add(ownName);
      inclusive.set(ownName, (inclusive.get(ownName) ?? 0) + weight);
    }
  }
  const rows = (map: Map<string, number>, limit: number): Row[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / Math.max(1, busyUs) }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    samples: counted,
    selfByFunction: rows(self, top),
    selfByPackage: rows(selfPackage, top),
    inclusiveByPackage: rows(inclusivePackage, top),
    inclusiveOwnCode: rows(inclusive, top),
  };
}

export function formatSummary(summary: ProfileSummary, title: string): string {
  const table = (heading: string, rows: Row[]) =>
    [
      `| ${heading} | ms | % of busy |`,
      "|---|---:|---:|",
      ...rows.map(
        (row) => `| \`${row.name}\` | ${row.ms.toFixed(0)} | ${row.percent.toFixed(1)} |`,
      ),
    ].join("\n");
  return [
    `#### ${title}`,
    "",
    `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms (${summary.samples} samples).`,
    "",
    table("self time by package", summary.selfByPackage.slice(0, 12)),
    "",
    table(
      "inclusive time by package (nested packages overlap)",
      summary.inclusiveByPackage.slice(0, 15),
    ),
    "",
    table("self time by function", summary.selfByFunction),
    "",
    table("inclusive time, workspace code", summary.inclusiveOwnCode.slice(0, 15)),
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file, from, to] = process.argv.slice(2);
  if (file === undefined) {
    console.error("usage: profile.ts <file.cpuprofile> [fromUs toUs]");
    process.exit(2);
  }
  const window =
    from !== undefined && to !== undefined ? { fromUs: Number(from), toUs: Number(to) } : undefined;
  console.log(formatSummary(summariseProfile(file, window), file));
}
