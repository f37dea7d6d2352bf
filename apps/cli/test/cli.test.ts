/** The CLI as a real process, against PGlite and PostgreSQL, with its output checked. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase, type DatabaseHandle } from "@otp/core/db";
import {
  createTestDatabase,
  createTestService,
  latestCodeFor,
  resolveTestPostgres,
  TEST_SECRET,
  TestClock,
  type TestDatabase,
} from "@otp/core/testing";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = join(import.meta.dirname, "..", "src", "main.ts");
const TSX = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");
const server = await resolveTestPostgres();
/** Each CLI run is a fresh process (tsx, then the database): slow on a busy machine. */
const TIMEOUT_MS = 240_000;
if (!server.available) console.warn(`[cli] PostgreSQL variant skipped: ${server.reason}`);

function otp(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(TSX, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out, err })));
}

/** One used, one expired and one live VERIFICATION code, an hour or more in the past. */
async function seed(database: DatabaseHandle | TestDatabase): Promise<void> {
  const clock = new TestClock(new Date(Date.now() - 2 * 3600_000));
  const service = createTestService(database as TestDatabase, { clock: clock.now });
  for (const email of ["used@example.com", "expired@example.com"]) {
    await service.register({ email, password: "a long enough password" });
  }
  const code = await latestCodeFor(database, TEST_SECRET, "used@example.com");
  await service.verifyEmail({ email: "used@example.com", code });
  clock.set(new Date());
  await service.register({ email: "live@example.com", password: "a long enough password" });
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("otp CLI on PGlite", () => {
  // Several CLI processes, each opening the embedded database (the first also creates it).
  it(
    "migrate, stats, cleanup --used --expired, then stats again",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "otp-cli-"));
      tempDirs.push(dataDir);
      const env = { DATA_DIR: dataDir };
      const migrated = await otp(["migrate"], env);
      expect(migrated).toMatchObject({ code: 0 });
      expect(migrated.out).toContain(`migrations applied to ${join(dataDir, "pglite")}`);

      const database = await createDatabase({ dataDir: join(dataDir, "pglite") });
      await seed(database);
      await database.close();

      const stats = await otp(["stats"], env);
      expect(stats.code).toBe(0);
      expect(stats.out).toMatch(/VERIFICATION\s+1\s+1\s+1/);
      expect(stats.out).toContain("PENDING 3");

      const cleaned = await otp(["cleanup", "--used", "--expired"], env);
      expect(cleaned.code).toBe(0);
      expect(cleaned.out).toContain("deleted 1 used code and 1 expired code");
      // The registration emails are still pending: kept, whatever the retention.
      expect(cleaned.out).toContain(
        "deleted 0 finished emails (sent, failed, expired or superseded) older than 7 days",
      );
      expect(cleaned.out).toContain("deleted 0 security events older than 90 days");

      const json = await otp(["stats", "--json"], env);
      expect(JSON.parse(json.out)).toMatchObject({
        codes: { VERIFICATION: { live: 1, used: 0, expired: 0 } },
      });
    },
    TIMEOUT_MS,
  );

  it(
    "explains bad usage and exits 2",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "otp-cli-"));
      tempDirs.push(dataDir);
      const unknown = await otp(["vacuum"], { DATA_DIR: dataDir });
      expect(unknown.code).toBe(2);
      expect(unknown.err).toContain("unknown command: vacuum");
      const badAge = await otp(["cleanup", "--older-than", "soon"], { DATA_DIR: dataDir });
      expect(badAge.code).toBe(2);
      expect(badAge.err).toContain("--older-than");
      const badRetention = await otp(["cleanup"], {
        DATA_DIR: dataDir,
        OUTBOX_RETENTION_DAYS: "0",
      });
      expect(badRetention.code).toBe(2);
      expect(badRetention.err).toContain("OUTBOX_RETENTION_DAYS");
      const badUrl = await otp(["stats"], { DATABASE_URL: "mysql://x" });
      expect(badUrl.code).toBe(2);
      expect(badUrl.err).toContain("DATABASE_URL");
      const help = await otp([], {});
      expect(help.out).toContain("usage: pnpm otp");
    },
    TIMEOUT_MS,
  );
});

describe.skipIf(!server.available)("otp CLI on PostgreSQL", () => {
  it(
    "cleanup --older-than spares recent codes; stats reads the server",
    async () => {
      const database = await createTestDatabase(
        "postgres",
        server.available ? server.url : undefined,
      );
      try {
        await seed(database);
        const env = { DATABASE_URL: database.url ?? "" };
        const recent = await otp(["cleanup", "--used", "--older-than", "3h"], env);
        expect(recent.code).toBe(0);
        expect(recent.out).toContain("deleted 0 used codes");
        const older = await otp(["cleanup", "--used", "--older-than", "1h", "--json"], env);
        expect(JSON.parse(older.out)).toMatchObject({ usedDeleted: 1, expiredDeleted: 0 });
        const stats = await otp(["stats"], env);
        expect(stats.out).toMatch(/VERIFICATION\s+1\s+0\s+1/);
      } finally {
        await database.close();
      }
    },
    TIMEOUT_MS,
  );
});
