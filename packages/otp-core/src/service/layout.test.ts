import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const serviceDir = import.meta.dirname;

/**
 * Every TypeScript file under service/, its tests and contracts included: what a test reads
 * from or plants in the database goes through a named function of testing/ (inspect.ts).
 */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith(".ts") ? [path] : [];
    }),
  );
  return files.flat();
}

/** An import of `sql` (renamed or not) from any module, e.g. the one `../testing/index.js` re-exports. */
const importsSql = /\bimport\s+(?:type\s+)?\{[^}]*\bsql\b[^}]*\}\s*from\b/;

describe("the service's layout", () => {
  it("writes no SQL, not even in a test: every statement and CTE lives in repositories/ or testing/", async () => {
    const files = await sourceFiles(serviceDir);
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(file, "utf8");
      if (/from ["']drizzle-orm/.test(text) || importsSql.test(text)) {
        offenders.push(relative(serviceDir, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
