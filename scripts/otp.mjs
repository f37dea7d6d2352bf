/**
 * `pnpm otp ...`: runs the operations CLI (apps/cli/dist/main.js) in this
 * process, building it first only when it is missing or older than anything it
 * is built from: the CLI's sources, those of the workspace packages it bundles
 * (followed through their package.json), the build scripts, the lockfile. That
 * check is a few hundred stat calls (milliseconds), where `turbo run build`
 * took a second or more on every call; nothing but the CLI's output is printed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const cliDir = join(root, "apps", "cli");
const bundle = join(cliDir, "dist", "main.js");

/** The workspace packages' directories by name ("@otp/core" -> packages/otp-core). */
function workspacePackages() {
  const byName = new Map();
  for (const group of ["apps", "packages"]) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(root, group, entry.name);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        byName.set(manifest.name, { dir, manifest });
      } catch {}
    }
  }
  return byName;
}

/** The newest modification time under `path` (a file, or a directory walked whole). */
function newest(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === "dist") continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** True when dist/main.js is missing or older than one of its inputs. */
function isStale() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return true;
  }
  const packages = workspacePackages();
  const inputs = [
    join(root, "pnpm-lock.yaml"),
    join(root, "scripts", "build-node-app.mjs"),
    join(cliDir, "build.mjs"),
  ];
  const seen = new Set();
  const visit = (name) => {
    const found = packages.get(name);
    if (found === undefined || seen.has(name)) return;
    seen.add(name);
    inputs.push(join(found.dir, "src"), join(found.dir, "package.json"));
    for (const dependency of Object.keys(found.manifest.dependencies ?? {})) visit(dependency);
  };
  visit("@otp/cli");
  return inputs.some((input) => newest(input) > built);
}

if (isStale()) {
  try {
    // The CLI's own build (apps/cli/build.mjs builds when imported).
    await import(pathToFileURL(join(cliDir, "build.mjs")).href);
  } catch (error) {
    process.stderr.write(
      `pnpm otp: the CLI did not build (${error.message}); pnpm --filter @otp/cli build shows why\n`,
    );
    process.exit(1);
  }
}
await import(pathToFileURL(bundle).href);
