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

describe("the service's layout", () => {
  it("writes no SQL, not even in a test: every statement and CTE lives in repositories/ or testing/", async () => {
    const files = await sourceFiles(serviceDir);
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of files) {
      if (/from ["']drizzle-orm/.test(await readFile(file, "utf8"))) {
        offenders.push(relative(serviceDir, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
