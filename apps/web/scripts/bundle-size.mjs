#!/usr/bin/env node
// Reports the JavaScript a first visit downloads (the entry chunk and every chunk it
// imports statically), gzip-compressed, from the Vite manifest of a build. Lazy
// chunks (the dev mailbox) are listed apart. Exits 1 above the budget.
//
//   node scripts/bundle-size.mjs [distDir]     (default: ./dist)
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 100;
const dist = resolve(
  process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "dist"),
);
const manifestFile = join(dist, ".vite", "manifest.json");
if (!existsSync(manifestFile)) {
  console.error(`bundle-size: no ${manifestFile}; run \`vite build\` first (build.manifest is on)`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
const initial = new Set();
const css = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (chunk === undefined || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const file of chunk.css ?? []) css.add(file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
for (const [key] of entries) visit(key);
const lazy = new Set(
  Object.values(manifest)
    .map((chunk) => chunk.file)
    .filter((file) => file.endsWith(".js") && !initial.has(file)),
);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const measure = (file) => {
  const bytes = readFileSync(join(dist, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes).length };
};
const table = (title, files) => {
  const rows = [...files].map(measure);
  const total = rows.reduce((sum, row) => ({ raw: sum.raw + row.raw, gzip: sum.gzip + row.gzip }), {
    raw: 0,
    gzip: 0,
  });
  console.log(title);
  for (const row of rows)
    console.log(
      `  ${row.file.padEnd(40)} ${kb(row.raw).padStart(10)} ${kb(row.gzip).padStart(10)} gzip`,
    );
  return total;
};

const js = table("initial JavaScript:", initial);
const styles = table("initial CSS:", css);
const later = table("loaded on demand:", lazy);
console.log(
  `\ninitial JS: ${kb(js.gzip)} gzip (${kb(js.raw)} raw), budget ${BUDGET_KB} KB; CSS ${kb(styles.gzip)} gzip; on demand ${kb(later.gzip)} gzip`,
);
if (js.gzip > BUDGET_KB * 1024) {
  console.error(`bundle-size: initial JS is over the ${BUDGET_KB} KB gzip budget`);
  process.exit(1);
}
